package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ledger.domain.api.StreamId;
import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LogScan;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import dev.ledger.store.AuditLog;
import dev.ledger.store.EventsTable;
import dev.ledger.store.MutableClock;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The command API against {@link CommandApiHostileCorpus}: every hostile request gets its
 * documented 4xx with a stable code and a clean message (see {@link ErrorBodies}), and the event
 * log, scanned whole before and after, is left exactly as it was (or, for a first attempt the
 * ledger records by design, gains that refusal and nothing else).
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileRequestsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong REQUESTS = new AtomicLong();

    private LedgerFixture ledger;
    /** The whole events table as the previous row left it (rows run one at a time, in order). */
    private List<Map<String, AttributeValue>> log;

    @BeforeAll
    void seed(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"),
                new MutableClock(Instant.parse("2026-05-01T00:00:00Z")));
        CommandApiHostileCorpus.seed(ledger);
        log = scan();
    }

    static Stream<HostileRequest> corpus() {
        return CommandApiHostileCorpus.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void isRefusedAsDocumentedAndLeavesTheLogAsItWas(HostileRequest hostile) throws IOException {
        List<Map<String, AttributeValue>> before = log;

        APIGatewayV2HTTPResponse response = ledger.handle(hostile.toEvent("hostile-" + REQUESTS.incrementAndGet()));

        List<Map<String, AttributeValue>> after = scan();
        // Kept before any assertion, so that one failing row never blames the rows after it.
        log = after;
        ErrorBodies.assertDocumentedError(response, hostile.status(), hostile.code());
        if (hostile.logEffect() == HostileRequest.LogEffect.NONE) {
            assertThat(after).as("every item of the events table, heads included").isEqualTo(before);
        } else if (hostile.logEffect() == HostileRequest.LogEffect.AUDITED_REFUSAL) {
            String trail = EventsTable.pk(AuditLog.TRAIL);
            assertThat(after).filteredOn(item -> !item.get(EventsTable.PK).s().equals(trail))
                    .as("every item but the audit trail's").isEqualTo(before.stream()
                            .filter(item -> !item.get(EventsTable.PK).s().equals(trail)).toList());
            List<Map<String, AttributeValue>> added = new ArrayList<>(after);
            added.removeAll(before);
            assertThat(added).as("one entry on the audit trail, and its head")
                    .allSatisfy(item -> assertThat(item.get(EventsTable.PK).s()).isEqualTo(trail)).hasSize(2)
                    .filteredOn(item -> !item.get(EventsTable.SK).n().equals(Long.toString(EventsTable.HEAD_SK)))
                    .singleElement().satisfies(item -> {
                        assertThat(item.get(EventsTable.TYPE).s()).isEqualTo("OperationPerformed");
                        assertThat(item.get(EventsTable.DATA).s()).contains("\"outcome\":\"refused\"")
                                .contains("\"detail\":\"" + hostile.code() + "\"");
                    });
        } else {
            JsonNode body = JSON.readTree(hostile.body());
            // The refused request's own stream: a transaction's, a reversal's or a transfer's.
            StreamId refusedStream = body.has("batchId") ? StreamId.batch(body.get("batchId").asText())
                    : body.has("transactionId") ? StreamId.transaction(body.get("transactionId").asText())
                    : body.has("reversalId") ? StreamId.reversal(body.get("reversalId").asText())
                    : StreamId.transfer(body.get("transferId").asText());
            String refused = EventsTable.pk(refusedStream);
            List<Map<String, AttributeValue>> added = new ArrayList<>(after);
            added.removeAll(before);
            assertThat(after).as("nothing that was there changed").containsAll(before);
            assertThat(added).as("only the refused request's own stream is new")
                    .allSatisfy(item -> assertThat(item.get(EventsTable.PK).s()).isEqualTo(refused))
                    .extracting(item -> item.get(EventsTable.SK).n())
                    .containsExactlyInAnyOrder(Long.toString(EventsTable.HEAD_SK), "1");
            assertThat(added).filteredOn(item -> item.get(EventsTable.SK).n().equals("1"))
                    .extracting(item -> item.get(EventsTable.TYPE).s())
                    .containsExactly(switch (refusedStream.type()) {
                        case TRANSACTION -> "TransactionRejected";
                        case REVERSAL -> "ReversalRejected";
                        case BATCH -> "BatchRejected";
                        default -> "TransferRejected";
                    });
        }
    }

    @Test
    void theCorpusHasAtLeastAHundredDistinctRowsInCategoriesOfSeveral() {
        List<HostileRequest> corpus = CommandApiHostileCorpus.all();
        Map<String, Long> perCategory = corpus.stream()
                .collect(Collectors.groupingBy(HostileRequest::category, Collectors.counting()));
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(100);
        assertThat(perCategory).as("rows per category").allSatisfy((category, rows) -> assertThat(rows).isGreaterThan(1));
        assertThat(corpus).extracting(HostileRequest::toString).as("each row says what is wrong with it, uniquely")
                .doesNotHaveDuplicates();
    }

    private List<Map<String, AttributeValue>> scan() {
        return LogScan.of(ledger.dynamo(), ledger.table()).items();
    }
}
