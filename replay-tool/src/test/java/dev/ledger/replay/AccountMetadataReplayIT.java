package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 16: an account's metadata is in the log ({@code AccountMetadataSet}), so {@code replay verify}
 * checks the balances and history projections' copy of it field by field, and {@code replay rebuild}
 * writes it back.
 */
@ExtendWith(LocalAwsExtension.class)
class AccountMetadataReplayIT {

    @Test
    void verifyNamesAnAlteredMetadataAndARebuildWritesItBackFromTheLog(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix(), 21).run(12).accountMetadata();
        workload.project(aws.sqs(), names.queue("dlq"));
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));

        ReplayRunner.Run healthy = replay.run("verify");
        assertThat(healthy.code()).as(healthy.out() + healthy.err()).isZero();
        assertThat(new BalancesProjection(dynamo, workload.balances).balance("eur-0").orElseThrow().account().metadata())
                .isEqualTo(Map.of("order", "o-2"));

        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("meta-0"));
        Map<String, AttributeValue> item = new HashMap<>(dynamo.getItem(r -> r.tableName(workload.balances).key(key))
                .item());
        item.put("state", AttributeValue.fromS(item.get("state").s().replace("c-1", "c-9")));
        dynamo.putItem(r -> r.tableName(workload.balances).item(item));
        ReplayRunner.Run altered = replay.run("verify");

        assertThat(altered.code()).isEqualTo(1);
        assertThat(altered.out()).contains("account:meta-0 v2 balances.metadata: projection "
                + "\"{\"channel\":\"web\",\"customer\":\"c-9\"}\", log \"{\"channel\":\"web\",\"customer\":\"c-1\"}\"");

        ControlTable.Tables.delete(dynamo, workload.balances);
        ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "balances", "--into", "live");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        ReplayRunner.Run rebuilt = replay.run("verify");
        assertThat(rebuilt.code()).as(rebuilt.out() + rebuilt.err()).isZero();
        assertThat(new BalancesProjection(dynamo, workload.balances).balance("meta-0").orElseThrow().account().metadata())
                .isEqualTo(Map.of("channel", "web", "customer", "c-1"));
        // The rebuilt table has the indexes GET /accounts reads, and every account is listed again.
        BalancesProjection.AccountPage listed = new BalancesProjection(dynamo, workload.balances)
                .accounts(new BalancesProjection.AccountQuery.ById(""), 100, null);
        assertThat(listed.accounts()).extracting(balance -> balance.account().accountId())
                .containsExactlyElementsOf(workload.accounts.stream().sorted().toList());
    }
}
