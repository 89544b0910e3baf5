package dev.ledger.functions.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.functions.LedgerFixture;
import dev.ledger.functions.LedgerFixture.Reply;
import dev.ledger.functions.store.MutableClock;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests of many kinds: each gets its documented 4xx with a stable code, never a 500,
 * and none of them writes anything to the log.
 */
@ExtendWith(LocalAwsExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestsIT {

    private LedgerFixture ledger;
    private long eventsBefore;

    @BeforeAll
    void setUp(AwsClients aws, TestNames names) {
        ledger = new LedgerFixture(aws.dynamoDb(), names.table("events"),
                new MutableClock(Instant.parse("2026-05-01T00:00:00Z")));
        ledger.openAccount("bank", "EUR", "null");
        ledger.openAccount("alice", "EUR", null);
        ledger.openAccount("bob", "EUR", null);
        ledger.transfer("fund", "bank", "alice", "50.00", "EUR");
        ledger.post("/transfers", "{\"transferId\":\"held\",\"debitAccountId\":\"alice\",\"creditAccountId\":\"bob\","
                + "\"amount\":\"1.00\",\"currency\":\"EUR\",\"pending\":true,\"timeoutSeconds\":3600}");
        eventsBefore = ledger.eventCount();
    }

    @AfterAll
    void nothingWasWritten() {
        assertThat(ledger.eventCount()).as("events after all malformed requests").isEqualTo(eventsBefore);
    }

    /** A transfer body with one field replaced by raw JSON (or removed, with null). */
    private static String transfer(String field, String rawJson) {
        List<String> fields = new ArrayList<>(List.of("\"transferId\":\"m-1\"", "\"debitAccountId\":\"alice\"",
                "\"creditAccountId\":\"bob\"", "\"amount\":\"1.00\"", "\"currency\":\"EUR\""));
        fields.removeIf(f -> f.startsWith("\"" + field + "\":"));
        if (rawJson != null) {
            fields.add("\"" + field + "\":" + rawJson);
        }
        return "{" + String.join(",", fields) + "}";
    }

    static Stream<Arguments> malformed() {
        String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        String seventeenKeys = IntStream.range(0, 17).mapToObj(i -> "\"k" + i + "\":\"v\"")
                .collect(Collectors.joining(",", "{", "}"));
        return Stream.of(
                // Not a JSON object at all
                bad("POST", "/transfers", "{", 400, "invalid_request"),
                bad("POST", "/transfers", "", 400, "invalid_request"),
                bad("POST", "/transfers", null, 400, "invalid_request"),
                bad("POST", "/transfers", "[]", 400, "invalid_request"),
                bad("POST", "/transfers", "\"transfer\"", 400, "invalid_request"),
                bad("POST", "/transfers", "null", 400, "invalid_request"),
                bad("POST", "/transfers", transfer("currency", "\"EUR\"") + " trailing", 400, "invalid_request"),
                bad("POST", "/transfers", "{\"transferId\":\"a\",\"transferId\":\"b\"}", 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "NaN"), 400, "invalid_request"),
                bad("POST", "/transfers", "{'transferId':'single-quotes'}", 400, "invalid_request"),
                // Fields missing, unknown or of the wrong type
                bad("POST", "/transfers", transfer("ammount", "\"1.00\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", null), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("debitAccountId", null), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("creditAccountId", null), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", null), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("currency", null), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", "null"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", "5"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("pending", "\"yes\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", "[\"a\"]"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", "{\"k\":5}"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", "{\"bad key\":\"v\"}"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", seventeenKeys), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", deep), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("metadata", "{\"k\":\"" + "x".repeat(17 * 1024) + "\"}"),
                        400, "invalid_request"),
                // Amounts
                bad("POST", "/transfers", transfer("amount", "1.00"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "100"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "1e400"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"1e2\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"-1.00\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"-0\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"0.00\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"1.001\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"92233720368547758.08\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\" 1.00\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"1,00\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "true"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "{}"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("amount", "\"0x10\""), 400, "invalid_request"),
                // Currencies
                bad("POST", "/transfers", transfer("currency", "\"XYZ\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("currency", "\"eur\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("currency", "978"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("currency", "\"XAU\""), 400, "invalid_request"),
                // Ids
                bad("POST", "/transfers", transfer("transferId", "\"a/b\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", "\"" + "x".repeat(65) + "\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", "\"tr\u00e4nsfer\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("transferId", "\"\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("debitAccountId", "\"../alice\""), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("creditAccountId", "\"..\""), 400, "invalid_request"),
                // Holds
                bad("POST", "/transfers", transfer("pending", "true"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("timeoutSeconds", "60"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("pending", "true,\"timeoutSeconds\":1.5"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("pending", "true,\"timeoutSeconds\":0"), 400, "invalid_request"),
                bad("POST", "/transfers", transfer("pending", "true,\"timeoutSeconds\":1000000000000"), 400,
                        "invalid_request"),
                bad("POST", "/transfers/held/post", "{\"amount\":1}", 400, "invalid_request"),
                bad("POST", "/transfers/held/post", "{\"amount\":\"0.001\"}", 400, "invalid_request"),
                bad("POST", "/transfers/held/void", "{\"reason\":\"x\"}", 400, "invalid_request"),
                // Accounts
                bad("POST", "/accounts", "{\"accountId\":\"x\",\"currency\":\"EUR\",\"overdraftLimit\":100}", 400,
                        "invalid_request"),
                bad("POST", "/accounts", "{\"accountId\":\"x\",\"currency\":\"EUR\",\"overdraftLimit\":\"-1.00\"}", 400,
                        "invalid_request"),
                bad("POST", "/accounts", "{\"currency\":\"EUR\"}", 400, "invalid_request"),
                bad("POST", "/accounts", "{\"accountId\":\"x\"}", 400, "invalid_request"),
                bad("POST", "/accounts", "{\"accountId\":\"x\",\"currency\":\"EUR\",\"owner\":\"me\"}", 400,
                        "invalid_request"),
                // Paths and methods
                bad("POST", "/accounts/a%2Fb/freeze", null, 400, "invalid_request"),
                bad("POST", "/accounts/..%2F..%2Fetc/freeze", null, 400, "invalid_request"),
                bad("POST", "/accounts/%E2%82%AC/freeze", null, 400, "invalid_request"),
                bad("POST", "/accounts/ok/freeze", "{\"x\":1}", 400, "invalid_request"),
                bad("GET", "/transfers", null, 405, "method_not_allowed"),
                bad("DELETE", "/accounts", null, 405, "method_not_allowed"),
                bad("POST", "/nowhere", "{}", 404, "not_found"),
                bad("POST", "/accounts/alice/delete", null, 404, "not_found"));
    }

    private static Arguments bad(String method, String path, String body, int status, String code) {
        String shown = body == null ? "no body" : body.length() > 60 ? body.substring(0, 60) + "..." : body;
        return Arguments.of(method + " " + path + " " + shown, method, path, body, status, code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void isRefusedWithItsDocumentedStatusAndCode(String name, String method, String path, String body, int status,
                                                 String code) {
        Reply reply = ledger.call(method, path, LedgerFixture.PAYMENTS, body);

        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.error()).isEqualTo(code);
        assertThat(reply.body().get("message").asText()).isNotBlank().doesNotContain("Exception", "\tat ");
    }
}
