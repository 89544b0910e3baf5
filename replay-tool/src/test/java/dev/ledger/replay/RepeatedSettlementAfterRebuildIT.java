package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.functions.api.CommandApi;
import dev.ledger.functions.command.CommandService;
import dev.ledger.functions.command.RetryPolicy;
import dev.ledger.http.ApiTokens;
import dev.ledger.http.HttpRequest;
import dev.ledger.http.HttpResponse;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.HistoryReader;
import dev.ledger.projections.TransfersProjection;
import dev.ledger.projections.api.QueryApi;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 12 §3 across a rebuild: what a post of a hold asked for is in the log, so after the read
 * tables are lost and rebuilt with {@code replay rebuild}, and from a command handler that starts
 * cold, the same post again still answers 200 with the original body, which the rebuilt transfers
 * projection shows too.
 */
@ExtendWith(LocalAwsExtension.class)
class RepeatedSettlementAfterRebuildIT {

    private static final String TOKEN = "pay-token";

    @Test
    void aRepeatedPostAfterALostResponseGetsTheOriginalBodyAfterAReplayRebuild(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix(), 12).run(10);
        HttpResponse held = command(workload, "/transfers", "{\"transferId\":\"rep-hold\",\"debitAccountId\":"
                + "\"eur-1\",\"creditAccountId\":\"eur-2\",\"amount\":\"10.00\",\"currency\":\"EUR\",\"pending\":true,"
                + "\"timeoutSeconds\":600}");
        assertThat(held.status()).as(held.body().toString()).isEqualTo(201);
        workload.clock.step(Duration.ofSeconds(3));
        HttpResponse lost = command(workload, "/transfers/rep-hold/post", "{\"amount\":\"4.00\"}");
        assertThat(lost.status()).as(lost.body().toString()).isEqualTo(200);
        workload.transferIds.add("rep-hold");
        workload.project(aws.sqs(), names.queue("dlq"));
        assertThat(transferFromTheApi(dynamo, workload)).isEqualTo(lost.body());

        ControlTable.Tables.delete(dynamo, workload.transfers);
        ReplayRunner.Run rebuild = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"))
                .run("rebuild", "--projection", "transfers", "--into", "live");
        assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
        workload.clock.step(Duration.ofHours(1)); // past the hold's timeout as well
        HttpResponse retry = command(workload, "/transfers/rep-hold/post", "{\"amount\":\"4.00\"}");

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(lost.body());
        assertThat(transferFromTheApi(dynamo, workload)).isEqualTo(lost.body());
        HttpResponse other = command(workload, "/transfers/rep-hold/post", null);
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.body().get("error").asText()).isEqualTo("transfer_not_pending");
    }

    /** A command handler started afresh for every request: nothing carried over in memory. */
    private static HttpResponse command(Workload workload, String path, String body) {
        CommandApi api = new CommandApi(new CommandService(workload.store(), workload.clock,
                RetryPolicy.standard(new SplittableRandom(1))), ApiTokens.parse(TOKEN + "=payments"));
        return api.handle(new HttpRequest("POST", path, Map.of("authorization", "Bearer " + TOKEN), Map.of(), body,
                "r-1"), "c-1").response();
    }

    private static JsonNode transferFromTheApi(DynamoDbClient dynamo, Workload workload) {
        QueryApi api = new QueryApi(new BalancesProjection(dynamo, workload.balances),
                new HistoryReader(dynamo, workload.history), new TransfersProjection(dynamo, workload.transfers),
                workload.store(), ApiTokens.parse("auditor-token=auditor"));
        HttpResponse response = api.handle(new HttpRequest("GET", "/transfers/rep-hold",
                Map.of("authorization", "Bearer auditor-token"), Map.of(), null, "r-2"), "c-2").response();
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body();
    }
}
