package dev.ledger.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.api.StreamId;
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
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The replay tool over a log with effective dates (issue 16): verify holds the history projection's
 * effective dates to the log like every other field, and {@code state --as-of --basis effective} folds the
 * account as the read API's {@code basis=effective} does.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class EffectiveDatesReplayIT {

    private DynamoDbClient dynamo;
    private Workload workload;
    private String endpoint;
    private String control;

    @BeforeAll
    void a_workload_with_backdated_payments_and_its_projections(AwsClients aws, TestNames names) {
        dynamo = aws.dynamoDb();
        endpoint = aws.endpoint().toString();
        control = names.table("replay-control");
        workload = new Workload(dynamo, names.prefix(), 16).run(10).backdated(4);
        workload.project(aws.sqs(), names.queue("dlq"));
    }

    @Test
    void verify_holds_a_healthy_log_with_effective_dates() {
        ReplayRunner.Run run = replay("verify");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
    }

    @Test
    void verify_names_the_entry_whose_effective_date_the_history_projection_altered() {
        StoredEvent backdated = backdatedLeg("eur-0");
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("eur-0"),
                "sk", AttributeValue.fromN(Long.toString(backdated.version())));
        Map<String, AttributeValue> entry = dynamo.getItem(r -> r.tableName(workload.history).key(key)).item();
        assertThat(entry.get("effectiveAt").s()).isEqualTo(backdated.effectiveAt().toString());
        Map<String, AttributeValue> altered = new HashMap<>(entry);
        altered.put("effectiveAt", AttributeValue.fromS("2020-01-01T00:00:00Z"));
        dynamo.putItem(r -> r.tableName(workload.history).item(altered));
        try {
            ReplayRunner.Run run = replay("verify");

            assertThat(run.code()).isEqualTo(1);
            assertThat(run.out()).contains("account:eur-0 v" + backdated.version() + " history.effectiveAt: projection "
                    + "\"2020-01-01T00:00:00Z\", log \"" + backdated.effectiveAt() + "\"");
        } finally {
            dynamo.putItem(r -> r.tableName(workload.history).item(entry));
        }
    }

    @Test
    void state_as_of_an_instant_on_the_effective_basis_counts_a_backdated_payment_from_its_date() {
        StoredEvent backdated = backdatedLeg("eur-0");
        Instant asOf = backdated.effectiveAt();

        ReplayRunner.Run effective = replay("state", "--account", "eur-0", "--as-of", asOf.toString(),
                "--basis", "effective");
        ReplayRunner.Run recorded = replay("state", "--account", "eur-0", "--as-of", asOf.toString());

        assertThat(effective.code()).as(effective.err()).isZero();
        // Dated before everything recorded on the account: the opening and this payment alone.
        assertThat(effective.json().get("balance").asText()).isEqualTo("10.00");
        assertThat(effective.json().get("version").asLong()).isEqualTo(backdated.version());
        JsonNode api = balanceAsOfFromTheApi("eur-0", asOf);
        assertThat(api.get("balance").asText()).isEqualTo("10.00");
        assertThat(api.get("version").asLong()).isEqualTo(backdated.version());
        assertThat(recorded.code()).as("the account was not yet opened when the payment counts").isEqualTo(1);
        assertThat(replay("state", "--account", "eur-0", "--basis", "effective").code()).isEqualTo(2);
        assertThat(replay("state", "--account", "eur-0", "--as-of", asOf.toString(), "--basis", "booked").code())
                .isNotZero();
    }

    /** The account's leg of its backdated payment: the one event of its stream with an effective date and an amount. */
    private StoredEvent backdatedLeg(String account) {
        List<StoredEvent> events = new ArrayList<>();
        workload.store().readStream(StreamId.account(account), 1).forEachRemaining(events::add);
        return events.stream().filter(e -> e.effectiveAt() != null && e.type().equals("EntryPosted")).findFirst()
                .orElseThrow();
    }

    private JsonNode balanceAsOfFromTheApi(String account, Instant asOf) {
        QueryApi api = new QueryApi(new BalancesProjection(dynamo, workload.balances),
                new HistoryReader(dynamo, workload.history), new TransfersProjection(dynamo, workload.transfers),
                workload.store(), ApiTokens.parse("auditor-token=auditor"));
        HttpResponse response = api.handle(new HttpRequest("GET", "/accounts/" + account + "/balance",
                Map.of("authorization", "Bearer auditor-token"), Map.of("asOf", asOf.toString(), "basis", "effective"),
                null, "r-1"), "c-1").response();
        assertThat(response.status()).as(response.body().toString()).isEqualTo(200);
        return response.body();
    }

    private ReplayRunner.Run replay(String... args) {
        return new ReplayRunner(endpoint, workload, control).run(args);
    }
}
