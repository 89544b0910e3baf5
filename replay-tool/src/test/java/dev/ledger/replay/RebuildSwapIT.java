package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.projections.BalancesProjection;
import dev.ledger.projections.DeadLetters;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.projections.MetadataProjection;
import dev.ledger.projections.ProjectionConsumer;
import dev.ledger.projections.ProjectionLog;
import dev.ledger.projections.ReadRoutes;
import dev.ledger.projections.StoredFormException;
import dev.ledger.projections.TransfersProjection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Blue/green rebuilds: the projection tables are lost, {@code rebuild --swap} builds new ones and
 * points the read path at them; the consumers then write there, and {@code --into live
 * --from-version} continues a table whose streams fell behind.
 */
@ExtendWith(LocalAwsExtension.class)
class RebuildSwapIT {

    @Test
    void lostProjectionsAreRebuiltAndSwappedInEqualItemForItemAndTheConsumersFollowTheRoute(AwsClients aws,
                                                                                          TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix(), 7).run(60);
        workload.project(aws.sqs(), names.queue("dlq"));
        Map<String, String> deployed = Map.of("balances", workload.balances, "history", workload.history,
                "transfers", workload.transfers, "metadata", workload.metadata);
        Map<String, List<Map<String, AttributeValue>>> before = new LinkedHashMap<>();
        deployed.forEach((projection, table) -> before.put(projection, items(dynamo, table)));
        deployed.values().forEach(table -> ControlTable.Tables.delete(dynamo, table));
        ReplayRunner cli = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control"));

        ReplayRunner.Run swap = cli.run("rebuild", "--projection", "all", "--swap", "--json");

        assertThat(swap.code()).as(swap.out() + swap.err()).isZero();
        for (JsonNode report : swap.json().get("projections")) {
            String projection = report.get("projection").asText();
            String table = report.get("table").asText();
            assertThat(report.get("swapped").asBoolean()).isTrue();
            assertThat(report.get("servedBefore").asText()).isEqualTo(deployed.get(projection));
            assertThat(table).isEqualTo(deployed.get(projection) + "-rebuild-1");
            assertThat(ReadRoutes.read(dynamo, cli.control, projection)).get()
                    .satisfies(route -> assertThat(route.table()).isEqualTo(table));
            assertThat(items(dynamo, table)).as(projection + " after the swap").isEqualTo(before.get(projection));
        }

        // The consumers look the route up per batch: new events land in the swapped-in tables.
        workload.more(30);
        ReadRoutes routes = new ReadRoutes(dynamo, cli.control, Clock.systemUTC(), Duration.ZERO);
        DeadLetters deadLetters = new DeadLetters(aws.sqs(), aws.sqs().getQueueUrl(r -> r.queueName(names.queue("dlq")))
                .queueUrl());
        workload.feed(List.of(
                new ProjectionConsumer(() -> new BalancesProjection(dynamo, routes.tableFor("balances", "gone")),
                        deadLetters, ProjectionLog.discarding()),
                new ProjectionConsumer(() -> new HistoryProjection(dynamo, routes.tableFor("history", "gone")),
                        deadLetters, ProjectionLog.discarding()),
                new ProjectionConsumer(() -> new TransfersProjection(dynamo, routes.tableFor("transfers", "gone")),
                        deadLetters, ProjectionLog.discarding()),
                new ProjectionConsumer(() -> new MetadataProjection(dynamo, routes.tableFor("metadata", "gone")),
                        deadLetters, ProjectionLog.discarding())));
        ReplayRunner.Run verify = cli.run("verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();

        // A second swap replaces the first; the first stays until the operator drops it.
        ReplayRunner.Run again = cli.run("rebuild", "--projection", "balances", "--swap");
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("now serves balances (was " + workload.balances + "-rebuild-1");
        assertThat(ReadRoutes.read(dynamo, cli.control, "balances")).get()
                .satisfies(route -> assertThat(route.table()).isEqualTo(workload.balances + "-rebuild-2"));
        assertThat(ControlTable.Tables.exists(dynamo, workload.balances + "-rebuild-1")).isTrue();
        assertThat(cli.run("verify").code()).isZero();

        // Consumers stopped: the swapped-in tables fall behind the log, and are continued where they are
        // served (each event a conditional write, as the swap's own catch-up writes).
        workload.more(10);
        assertThat(cli.run("verify").code()).as("behind the log").isEqualTo(1);

        ReplayRunner.Run continued = cli.run("rebuild", "--projection", "all", "--into", "live", "--from-version", "1",
                "--json");

        assertThat(continued.code()).as(continued.out() + continued.err()).isZero();
        assertThat(continued.json().get("projections")).extracting(p -> p.get("table").asText()).containsExactly(
                workload.balances + "-rebuild-2", workload.history + "-rebuild-1", workload.transfers + "-rebuild-1",
                workload.metadata + "-rebuild-1");
        assertThat(cli.run("verify").code()).isZero();
    }

    @Test
    void aLiveTableWhoseStreamsFellBehindIsContinuedFromTheLogWithFromVersion(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix() + "behind-", 11).run(40);
        workload.project(aws.sqs(), names.queue("dlq-behind"));
        List<Map<String, AttributeValue>> complete = items(dynamo, workload.balances);
        // Two accounts lose their items, as if their events had never reached the projection.
        for (String account : List.of("eur-1", "usd-0")) {
            dynamo.deleteItem(r -> r.tableName(workload.balances).key(Map.of("id", AttributeValue.fromS(account))));
        }
        ReplayRunner cli = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control-behind"));
        ReplayRunner.Run broken = cli.run("verify", "--accounts", "eur-1");
        assertThat(broken.code()).isEqualTo(1);

        ReplayRunner.Run refused = cli.run("rebuild", "--projection", "balances", "--into", "live",
                "--from-version", "3", "--accounts", "eur-1,usd-0");

        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err())
                .contains("account:eur-1 holds v0", "account:usd-0 holds v0", "v1 to v2 would be skipped");

        ReplayRunner.Run continued = cli.run("rebuild", "--projection", "balances", "--into", "live",
                "--from-version", "1", "--accounts", "eur-1,usd-0", "--json");

        assertThat(continued.code()).as(continued.out() + continued.err()).isZero();
        assertThat(continued.json().get("projections").get(0).get("streams").asLong()).isEqualTo(2);
        assertThat(items(dynamo, workload.balances)).isEqualTo(complete);
        assertThat(cli.run("verify").code()).isZero();
    }

    /**
     * The migration of a read table's format is {@code rebuild --swap}: items in a shape this code
     * does not write (here, as an older format might have left them: totals under other names, no
     * {@code updatedAt}) are named by verify field by field, refused by the reader rather than
     * misread, and replaced by a rebuilt table in today's shape.
     */
    @Test
    void itemsInAnotherShapeAreFlaggedByVerifyAndMigratedByRebuildSwap(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix() + "shape-", 13).run(30);
        workload.project(aws.sqs(), names.queue("dlq-shape"));
        List<Map<String, AttributeValue>> current = items(dynamo, workload.balances);
        for (Map<String, AttributeValue> item : current) {
            Map<String, AttributeValue> older = new HashMap<>(item);
            older.put("state", AttributeValue.fromS(item.get("state").s()
                    .replace("\"creditsPosted\"", "\"credits\"").replace("\"debitsPosted\"", "\"debits\"")));
            older.remove("updatedAt");
            dynamo.putItem(r -> r.tableName(workload.balances).item(older));
        }
        ReplayRunner cli = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control-shape"));

        ReplayRunner.Run flagged = cli.run("verify", "--accounts", "eur-0");

        assertThat(flagged.code()).as(flagged.out() + flagged.err()).isEqualTo(1);
        assertThat(flagged.out()).contains("balances.creditsPosted: projection absent, log \"",
                "balances.credits: projection \"", "balances.updatedAt: projection absent, log \"");
        assertThatThrownBy(() -> new BalancesProjection(dynamo, workload.balances).balance("eur-0"))
                .isInstanceOf(StoredFormException.class).hasMessageContaining("replay rebuild --swap");

        ReplayRunner.Run swap = cli.run("rebuild", "--projection", "balances", "--swap");

        assertThat(swap.code()).as(swap.out() + swap.err()).isZero();
        assertThat(items(dynamo, workload.balances + "-rebuild-1")).isEqualTo(current);
        assertThat(new BalancesProjection(dynamo, workload.balances + "-rebuild-1").balance("eur-0")).isPresent();
        ReplayRunner.Run verify = cli.run("verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    }

    /**
     * Issue 16: transfers items written before GET /transfers' status index lack its keys ({@code listStatus},
     * {@code listAt}), so they are in no status list; verify names the two as missing, and a rebuild with
     * --swap writes them, after which the rebuilt table lists every transfer and transaction under its status.
     */
    @Test
    void transfersWithoutTheStatusListKeysAreFlaggedByVerifyAndListedAfterRebuildSwap(AwsClients aws, TestNames names) {
        DynamoDbClient dynamo = aws.dynamoDb();
        Workload workload = new Workload(dynamo, names.prefix() + "lists-", 17).run(30);
        workload.project(aws.sqs(), names.queue("dlq-lists"));
        List<Map<String, AttributeValue>> current = items(dynamo, workload.transfers);
        for (Map<String, AttributeValue> item : current) {
            Map<String, AttributeValue> older = new HashMap<>(item);
            older.remove("listStatus");
            older.remove("listAt");
            dynamo.putItem(r -> r.tableName(workload.transfers).item(older));
        }
        List<String> posted = current.stream().filter(item -> item.get("listStatus").s().equals("POSTED"))
                .sorted(Comparator.comparing((Map<String, AttributeValue> item) -> item.get("listAt").s()).reversed())
                .map(item -> item.get("id").s()).toList();
        assertThat(posted).isNotEmpty().hasSizeLessThanOrEqualTo(100);
        assertThat(new TransfersProjection(dynamo, workload.transfers).byStatus("POSTED", Optional.empty(),
                Optional.empty(), 100, null).rows()).as("old items are in no status list").isEmpty();
        ReplayRunner cli = new ReplayRunner(aws.endpoint().toString(), workload, names.table("control-lists"));

        ReplayRunner.Run flagged = cli.run("verify");

        assertThat(flagged.code()).as(flagged.out() + flagged.err()).isEqualTo(1);
        assertThat(flagged.out()).contains("transfers.listStatus: projection absent, log \"",
                "transfers.listAt: projection absent, log \"");

        ReplayRunner.Run swap = cli.run("rebuild", "--projection", "transfers", "--swap");

        assertThat(swap.code()).as(swap.out() + swap.err()).isZero();
        assertThat(items(dynamo, workload.transfers + "-rebuild-1")).isEqualTo(current);
        TransfersProjection rebuilt = new TransfersProjection(dynamo, workload.transfers + "-rebuild-1");
        assertThat(rebuilt.byStatus("POSTED", Optional.empty(), Optional.empty(), 100, null).rows())
                .extracting(row -> row.transfer() != null ? row.transfer().state().transferId()
                        : "transaction#" + row.transaction().state().transactionId())
                .containsExactlyElementsOf(posted);
        ReplayRunner.Run verify = cli.run("verify");
        assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    }

    /** Every item of a table, ordered by key, so two tables compare item for item. */
    private static List<Map<String, AttributeValue>> items(DynamoDbClient dynamo, String table) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        dynamo.scanPaginator(r -> r.tableName(table).consistentRead(true)).items().forEach(items::add);
        items.sort(Comparator.comparing((Map<String, AttributeValue> item) -> item.get("id").s())
                .thenComparing(item -> item.containsKey("sk") ? Long.parseLong(item.get("sk").n()) : 0L));
        return items;
    }
}
