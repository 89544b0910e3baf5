package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import java.util.function.Function;

/**
 * Wrote the stored-form fixture {@code stored-form/log-v6-effective-dates.jsonl} and its {@code -expected.json}:
 * a whole events table with effective dates (issue 16), which no earlier fixture holds. A transfer dated back
 * ten days ({@code "effectiveAt"} in its request and on the envelope of every event of its append: its record
 * and both legs), a transfer without a date beside it (no such key anywhere), a pending transfer dated back a
 * day and posted later (the post's events carry none: it counts when it is recorded), a multi-leg transaction
 * dated back two days, a partial reversal of the first transfer dated back one day, and a transfer refused
 * with a date in its request. {@link StoredFormFixtureV6Test} checks the current code against it, including
 * each account's balance on the effective basis at instants the generator recorded.
 *
 * <p><b>Frozen like {@code log-v1}</b> (see {@link StoredFormFixtureGeneratorIT}): never regenerate it
 * or edit it because the code changed. Disabled unless {@code -Dledger.storedFormV6.out=DIR} is set;
 * writes only there and never over a file:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureV6GeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedFormV6.out=$PWD/target/stored-form-v6
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureV6GeneratorIT.OUT, matches = ".+")
class StoredFormFixtureV6GeneratorIT {

    static final String FIXTURE = "log-v6-effective-dates";
    static final String OUT = "ledger.storedFormV6.out";

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final Map<StreamId, StreamState> states = new TreeMap<>();
    private final Map<StreamId, StoredEvent> lastEvents = new TreeMap<>();
    private final Map<String, Long> typesWritten = new TreeMap<>();
    private final List<StoredEvent> written = new ArrayList<>();
    private LedgerWriter commands;
    private int step;

    @Test
    void writeTheFixture(AwsClients aws, TestNames names) throws IOException {
        Path out = Path.of(System.getProperty(OUT));
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("stored-form-v6");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, FIXTURE, items, expectations(items));
    }

    private void workload() {
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-alice", l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        apply("open-bob", l -> l.openAccount(new OpenAccount("bob", EUR, OverdraftLimit.NONE)));
        Instant now = clock.instant();
        apply("back-10d", l -> l.transfer("back-10d", new TransferRequest("bank", "alice", eur("100.00"), false, 0,
                new TreeMap<>(Map.of("order", "A-1")), now.minus(Duration.ofDays(10)))));
        apply("plain", l -> l.transfer("plain", TransferRequest.posted("bank", "bob", eur("5.00"))));
        apply("hold-1d", l -> l.transfer("hold-1d", new TransferRequest("alice", "bob", eur("20.00"), true, 3_600,
                null, clock.instant().minus(Duration.ofDays(1)))));
        apply("hold-1d-post", l -> l.postPendingTransfer("hold-1d", null));
        apply("tx-2d", l -> l.transaction("tx-2d", new TransactionRequest(List.of(
                new TransactionEntry(0, "alice", Side.DEBIT, eur("10.00")),
                new TransactionEntry(1, "bob", Side.CREDIT, eur("9.00")),
                new TransactionEntry(2, "bank", Side.CREDIT, eur("1.00"))), false, 0, null,
                clock.instant().minus(Duration.ofDays(2)))));
        apply("refund-1d", l -> l.reverseTransfer("refund-1d", "back-10d", c -> new ReversalRequest(
                OriginalKind.TRANSFER, "back-10d", eur("30.00"), false, null, clock.instant().minus(Duration.ofDays(1)))));
        LedgerResult refused = apply("broke-3d", l -> l.transfer("broke-3d", new TransferRequest("bob", "alice",
                eur("1000.00"), false, 0, null, clock.instant().minus(Duration.ofDays(3)))));
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);

        assertThat(written).filteredOn(event -> event.effectiveAt() != null).extracting(StoredEvent::type)
                .contains("TransferRecorded", "EntryPosted", "HoldPlaced", "TransactionRecorded",
                        "TransactionEntriesPosted", "ReversalRecorded", "TransferReversed", "EntryReversed");
        assertThat(written).filteredOn(event -> event.type().equals("HoldPosted") || event.type().equals(
                "PendingTransferPosted") || event.type().equals("TransferRejected")).extracting(StoredEvent::effectiveAt)
                .containsOnlyNulls();
        assertThat(written).filteredOn(event -> event.stream().equals(StreamId.transfer("plain")))
                .extracting(StoredEvent::effectiveAt).containsOnlyNulls();
    }

    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-v6-%02d-%s", step, name), command);
        for (StreamChange change : committed.result().changes()) {
            states.put(change.stream(), change.stateAfter());
        }
        committed.events().forEach(event -> {
            lastEvents.put(event.stream(), event);
            typesWritten.merge(event.type(), 1L, Long::sum);
            written.add(event);
        });
        clock.advance(step % 4 == 0 ? Duration.ofMillis(1_250) : Duration.ofSeconds(7));
        return committed.result();
    }


    /**
     * What the domain said at the time, per stream, as the earlier fixtures record it, plus each request's
     * effective date and, per account, its balance on the effective basis at each instant an event of it
     * counts ({@code effectiveBalances}: instant to balance, folded by {@link AccountAsOf} as written).
     */
    private String expectations(List<Map<String, AttributeValue>> items) throws IOException {
        ObjectNode root = FixtureLogTable.header(FIXTURE + ".jsonl", items);
        ObjectNode accounts = root.putObject("accounts");
        ObjectNode transfers = root.putObject("transfers");
        ObjectNode transactions = root.putObject("transactions");
        ObjectNode reversals = root.putObject("reversals");
        states.forEach((stream, state) -> {
            StoredEvent last = lastEvents.get(stream);
            if (state instanceof AccountState a) {
                ObjectNode node = accounts.putObject(a.accountId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                putAccount(node, a);
                ObjectNode effective = node.putObject("effectiveBalances");
                List<StoredEvent> own = written.stream().filter(event -> event.stream().equals(stream)).toList();
                new TreeMap<>(own.stream().collect(Collectors.toMap(StoredEvent::effectiveInstant, event -> event,
                        (x, y) -> x))).keySet().forEach(instant -> effective.put(instant.toString(),
                                AccountAsOf.fold(own.iterator(), instant, Basis.EFFECTIVE, null, null)
                                        .map(asOf -> Money.toDecimalString(asOf.state().balance(), 2)).orElse(null)));
            } else if (state instanceof TransferState t) {
                ObjectNode node = transfers.putObject(t.transferId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("amount", t.request().amount().toDecimalString());
                node.put("postedAmount", t.postedAmount().toDecimalString());
                node.put("currency", t.request().amount().currency().code());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
                node.put("reversedAmount", t.reversedAmount().toDecimalString());
                node.put("postRequest", t.postRequest() == null ? null : t.postRequest().toString());
                node.put("effectiveAt", effectiveAt(t.request().effectiveAt()));
            } else if (state instanceof TransactionState t) {
                ObjectNode node = transactions.putObject(t.transactionId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
                node.put("effectiveAt", effectiveAt(t.request().effectiveAt()));
            } else if (state instanceof ReversalState r) {
                ObjectNode node = reversals.putObject(r.reversalId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("originalId", r.request().originalId());
                node.put("amount", r.amount() == null ? null : r.amount().toString());
                node.put("legs", r.legs().toString());
                node.put("forced", r.request().force());
                node.put("rejectionCode", r.rejection() == null ? null : r.rejection().code().code());
                node.put("effectiveAt", effectiveAt(r.request().effectiveAt()));
            }
        });
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static String effectiveAt(Instant effectiveAt) {
        return effectiveAt == null ? null : effectiveAt.toString();
    }

    private static void putAccount(ObjectNode node, AccountState a) {
        int digits = a.currency().minorDigits();
        node.put("currency", a.currency().code());
        node.put("overdraftLimit", a.overdraftLimit().unlimited() ? null
                : Money.toDecimalString(a.overdraftLimit().minorUnits(), digits));
        node.put("status", a.status().name());
        node.put("balance", Money.toDecimalString(a.balance(), digits));
        node.put("debitsPosted", Money.toDecimalString(a.debitsPosted(), digits));
        node.put("creditsPosted", Money.toDecimalString(a.creditsPosted(), digits));
        node.put("debitsPending", Money.toDecimalString(a.debitsPending(), digits));
        node.put("creditsPending", Money.toDecimalString(a.creditsPending(), digits));
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
