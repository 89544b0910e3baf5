package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.api.StreamId;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.MetadataIndex;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Issue 16: the metadata index is a projection like the others: {@code replay verify} compares each
 * stream's slots with the fold's last write of each (an altered, missing or extra slot is named), and
 * {@code replay rebuild --projection metadata} writes the table back, index included.
 */
@ExtendWith(LocalAwsExtension.class)
class MetadataIndexReplayIT {

    @Test
    void verifyNamesAnAlteredAMissingAndAnExtraSlotAndARebuildWritesTheIndexBack(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix(), 23).run(12).accountMetadata();
        workload.project(aws.sqs(), names.queue("dlq"));
        ReplayRunner replay = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));
        MetadataIndex index = new MetadataIndex(dynamo, workload.metadata);

        ReplayRunner.Run healthy = replay.run("verify");
        assertThat(healthy.code()).as(healthy.out() + healthy.err()).isZero();
        assertThat(index.accounts("customer", "c-1", 10, null).streams()).containsExactly(StreamId.account("meta-0"));

        // meta-0's keys took slots in key order: channel 1, customer 2. eur-0's one key is in slot 1.
        Map<String, AttributeValue> customer = slot("account#meta-0", 2, dynamo, workload.metadata);
        Map<String, AttributeValue> altered = new HashMap<>(customer);
        altered.put("pair", AttributeValue.fromS("account#customer=c-9"));
        dynamo.putItem(r -> r.tableName(workload.metadata).item(altered));
        dynamo.deleteItem(r -> r.tableName(workload.metadata).key(key("account#eur-0", 1)));
        Map<String, AttributeValue> extra = new HashMap<>(key("account#meta-0", 7));
        extra.put("pair", AttributeValue.fromS("account#planted=yes"));
        extra.put("at", customer.get("at"));
        dynamo.putItem(r -> r.tableName(workload.metadata).item(extra));
        ReplayRunner.Run tampered = replay.run("verify");

        assertThat(tampered.code()).isEqualTo(1);
        assertThat(tampered.out())
                .contains("account:meta-0 v2 metadata.slot2.pair: projection \"account#customer=c-9\", log "
                        + "\"account#customer=c-1\"")
                .contains("account:meta-0 v2 metadata.slot7: a slot the log does not have")
                .containsPattern("account:eur-0 v[0-9]+ metadata.slot1: no slot item; the log has one");

        ControlTable.Tables.delete(dynamo, workload.metadata);
        ReplayRunner.Run rebuild = replay.run("rebuild", "--projection", "metadata", "--into", "live");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        ReplayRunner.Run rebuilt = replay.run("verify");
        assertThat(rebuilt.code()).as(rebuilt.out() + rebuilt.err()).isZero();
        // The rebuilt table has the index the list routes read.
        assertThat(index.accounts("customer", "c-1", 10, null).streams()).containsExactly(StreamId.account("meta-0"));
        assertThat(index.accounts("customer", "c-9", 10, null).streams()).isEmpty();
        assertThat(index.accounts("planted", "yes", 10, null).streams()).isEmpty();
        assertThat(index.accounts("order", "o-2", 10, null).streams()).containsExactly(StreamId.account("eur-0"));
        assertThat(index.accounts("order", "o-1", 10, null).streams()).isEmpty();
    }

    private static Map<String, AttributeValue> key(String id, int sk) {
        return Map.of("id", AttributeValue.fromS(id), "sk", AttributeValue.fromN(Integer.toString(sk)));
    }

    private static Map<String, AttributeValue> slot(String id, int sk, DynamoDbClient dynamo, String table) {
        return dynamo.getItem(r -> r.tableName(table).key(key(id, sk)).consistentRead(true)).item();
    }
}
