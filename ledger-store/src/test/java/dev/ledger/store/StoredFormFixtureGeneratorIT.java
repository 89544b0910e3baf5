package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.localaws.AwsClients;
import dev.ledger.localaws.LocalAwsExtension;
import dev.ledger.localaws.TestNames;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Wrote the stored-form fixture {@code src/test/resources/stored-form/log-v1.jsonl} and its
 * {@code log-v1-expected.json}, which {@link StoredFormFixtureTest} checks the current code against.
 *
 * <p><b>The fixture is frozen. Never regenerate it, and never edit it, because the code changed:</b> it is
 * a copy of a log as the code of its day wrote it (every item of the events table, event items and
 * head items, every attribute with its DynamoDB type), and it is there to prove that every later
 * version of the code still reads those exact bytes the same way. A change that makes
 * {@code StoredFormFixtureTest} fail has reinterpreted logs already written; fix the change, not the
 * fixture. A change that adds event types or fields adds a NEW fixture ({@code log-v2.jsonl}, ...)
 * beside the old ones, written by a generator of its own (copy this one), and keeps every old one.
 * That is why this writes only to a directory given on the command line and refuses to overwrite a
 * file: {@code log-v1.jsonl} was written once, by commit {@code 3bb3913}'s code plus this generator.
 *
 * <p>Disabled unless {@code -Dledger.storedForm.out=DIR} is set; then, against the emulator, with a
 * fixed clock and fixed ids and correlation ids, it drives the real command path and
 * {@link Ledger} (and the hold-expiry sweeper) through the workload below, and writes both files
 * into DIR. Running it twice gives the same bytes. Since the store moved into {@code ledger-store} it
 * decides and appends as one command attempt does ({@link LedgerWriter}: a fresh session, the
 * {@link Ledger}, one append; it writes alone, so no attempt is ever retried) and sweeps as the sweeper
 * does ({@link PendingHolds#forEachOverdue}, each overdue hold expired under the sweep's correlation
 * id); it still writes {@code log-v1.jsonl} byte for byte:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureGeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedForm.out=$PWD/target/stored-form-new
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureGeneratorIT.OUT, matches = ".+")
class StoredFormFixtureGeneratorIT {

    static final String OUT = "ledger.storedForm.out";

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit JPY = CurrencyUnit.of("JPY");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-02-02T09:00:00Z"));
    private final Map<StreamId, StreamState> states = new TreeMap<>();
    private final Map<StreamId, StoredEvent> lastEvents = new TreeMap<>();
    private LedgerWriter commands;
    private PendingHolds pendingHolds;
    private int step;

    @Test
    void writeTheFixture(AwsClients aws, TestNames names) throws IOException {
        Path out = Path.of(System.getProperty(OUT));
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("stored-form");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);
        pendingHolds = new PendingHolds(dynamo, table);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, "log-v1", items, expectations(items));
    }

    private void workload() {
        // A funding account per currency (unlimited overdraft) and the customers.
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-bank-jpy", l -> l.openAccount(new OpenAccount("bank-jpy", JPY, OverdraftLimit.UNLIMITED)));
        apply("open-alice", l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        apply("open-bob", l -> l.openAccount(new OpenAccount("bob", EUR, OverdraftLimit.NONE)));
        apply("open-carol", l -> l.openAccount(new OpenAccount("carol", EUR, OverdraftLimit.of(5_000))));
        apply("open-dave", l -> l.openAccount(new OpenAccount("dave", EUR, OverdraftLimit.NONE)));
        apply("open-yuki", l -> l.openAccount(new OpenAccount("yuki", JPY, OverdraftLimit.NONE)));

        // Posted transfers: deposits, a payment between customers (with metadata, non-ASCII included).
        apply("fund-alice", l -> l.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("500.00"))));
        apply("fund-bob", l -> l.transfer("fund-bob", TransferRequest.posted("bank", "bob", eur("200.00"))));
        apply("fund-yuki", l -> l.transfer("fund-yuki", TransferRequest.posted("bank-jpy", "yuki", jpy("150000"))));
        TransferRequest rent = new TransferRequest("alice", "bob", eur("75.25"), false, 0,
                new TreeMap<>(Map.of("note", "caf\u00e9 \u20ac rent", "order", "o-17")));
        apply("pay-rent", l -> l.transfer("order:2026:17", rent));
        // The same request again (a client's retry): answered from the log, nothing appended.
        LedgerResult retry = apply("pay-rent-retry", l -> l.transfer("order:2026:17", rent));
        assertThat(retry.status()).isEqualTo(LedgerResult.Status.ALREADY_APPLIED);

        // Holds: posted in full, posted in part (the rest released), voided.
        apply("hold-full", l -> l.transfer("hold-full", TransferRequest.pending("alice", "carol", eur("40.00"), 3600)));
        apply("hold-full-post", l -> l.postPendingTransfer("hold-full", null));
        apply("hold-part", l -> l.transfer("hold-part", TransferRequest.pending("bob", "alice", eur("60.00"), 3600)));
        apply("hold-part-post", l -> l.postPendingTransfer("hold-part", eur("25.50")));
        // carol has 40.00 and may overdraw 50.00: this hold is covered by the overdraft.
        apply("hold-void", l -> l.transfer("hold-void", TransferRequest.pending("carol", "bob", eur("80.00"), 3600)));
        apply("hold-void-void", l -> l.voidPendingTransfer("hold-void"));

        // Refused: recorded as TransferRejected in the transfer's own stream; the retry gets the same refusal.
        LedgerResult refused = apply("too-much", l -> l.transfer("too-much",
                TransferRequest.posted("bob", "alice", eur("10000.00"))));
        assertThat(refused.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        LedgerResult refusedAgain = apply("too-much-retry", l -> l.transfer("too-much",
                TransferRequest.posted("bob", "alice", eur("10000.00"))));
        assertThat(refusedAgain.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(refusedAgain.changes()).isEmpty();

        // Frozen and unfrozen, with a transfer refused while frozen.
        apply("freeze-bob", l -> l.freezeAccount("bob"));
        LedgerResult frozen = apply("to-frozen", l -> l.transfer("to-frozen",
                TransferRequest.posted("alice", "bob", eur("1.00"))));
        assertThat(frozen.rejection().code()).isEqualTo(RejectionCode.ACCOUNT_FROZEN);
        apply("unfreeze-bob", l -> l.unfreezeAccount("bob"));

        // Closed at zero, after money went in and out.
        apply("fund-dave", l -> l.transfer("fund-dave", TransferRequest.posted("bank", "dave", eur("10.00"))));
        apply("dave-pays", l -> l.transfer("dave-pays", TransferRequest.posted("dave", "alice", eur("10.00"))));
        apply("close-dave", l -> l.closeAccount("dave"));

        // A hold left pending (its head carries the sweeper's index keys), with metadata.
        apply("hold-open", l -> l.transfer("hold-open", new TransferRequest("alice", "bob", eur("12.34"), true,
                30L * 24 * 3600, new TreeMap<>(Map.of("reason", "deposit")))));

        // A hold that expires: the clock passes its timeout and the sweeper records the expiry.
        apply("hold-expire", l -> l.transfer("hold-expire", TransferRequest.pending("yuki", "bank-jpy",
                jpy("20000"), 600)));
        clock.advance(Duration.ofMinutes(11));
        assertThat(sweep("fixture-sweep")).isEqualTo(1);
        refreshFromLog("hold-expire", List.of(StreamId.transfer("hold-expire"), StreamId.account("yuki"),
                StreamId.account("bank-jpy")));
        clock.advance(Duration.ofMillis(250));

        // One more posted transfer after the sweep, at an instant with a fraction of a second.
        apply("fund-carol", l -> l.transfer("fund-carol", TransferRequest.posted("bank", "carol", eur("0.01"))));

        assertThat(((TransferState) states.get(StreamId.transfer("hold-expire"))).status())
                .isEqualTo(TransferStatus.EXPIRED);
        assertThat(((TransferState) states.get(StreamId.transfer("hold-open"))).status())
                .isEqualTo(TransferStatus.PENDING);
        assertThat(((AccountState) states.get(StreamId.account("dave"))).status().name()).isEqualTo("CLOSED");
    }

    /** One command, under a fixed correlation id; the clock then moves on by an uneven step. */
    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-%02d-%s", step, name), command);
        for (StreamChange change : committed.result().changes()) {
            states.put(change.stream(), change.stateAfter());
        }
        committed.events().forEach(event -> lastEvents.put(event.stream(), event));
        // Whole seconds, and now and then a fraction: recordedAt is Instant.toString, whose width varies.
        clock.advance(step % 4 == 0 ? Duration.ofMillis(1_250) : Duration.ofSeconds(7));
        return committed.result();
    }

    /** What the hold-expiry sweeper does: every overdue hold expired, under the sweep's correlation id. */
    private int sweep(String correlationId) {
        int[] expired = {0};
        pendingHolds.forEachOverdue(clock.instant(), transfer -> expired[0] += commands.execute(correlationId,
                ledger -> ledger.expirePendingTransfer(transfer.id())).events().isEmpty() ? 0 : 1);
        return expired[0];
    }

    /** The sweeper runs its own commands: take what it left from the heads and last events it wrote. */
    private void refreshFromLog(String what, List<StreamId> streams) {
        StoreSession session = commands.store().session();
        for (StreamId stream : streams) {
            EventStore.Head head = session.head(stream).orElseThrow();
            states.put(stream, stream.type() == StreamId.StreamType.ACCOUNT
                    ? StateCodec.decodeAccount(head.state()) : StateCodec.decodeTransfer(head.state()));
            lastEvents.put(stream, commands.store().readEvent(stream, head.version()).orElseThrow());
        }
        assertThat(lastEvents.get(StreamId.transfer(what)).type()).isEqualTo("PendingTransferExpired");
    }


    /** What the domain said at the time, per stream: the fixture test must fold the log to exactly this. */
    private String expectations(List<Map<String, AttributeValue>> items) throws IOException {
        ObjectNode root = FixtureLogTable.header("log-v1.jsonl", items);
        ObjectNode accounts = root.putObject("accounts");
        ObjectNode transfers = root.putObject("transfers");
        states.forEach((stream, state) -> {
            StoredEvent last = lastEvents.get(stream);
            if (state instanceof AccountState a) {
                int digits = a.currency().minorDigits();
                ObjectNode node = accounts.putObject(a.accountId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("currency", a.currency().code());
                node.put("overdraftLimit", a.overdraftLimit().unlimited() ? null
                        : Money.toDecimalString(a.overdraftLimit().minorUnits(), digits));
                node.put("status", a.status().name());
                node.put("balance", Money.toDecimalString(a.balance(), digits));
                node.put("debitsPosted", Money.toDecimalString(a.debitsPosted(), digits));
                node.put("creditsPosted", Money.toDecimalString(a.creditsPosted(), digits));
                node.put("debitsPending", Money.toDecimalString(a.debitsPending(), digits));
                node.put("creditsPending", Money.toDecimalString(a.creditsPending(), digits));
            } else if (state instanceof TransferState t) {
                ObjectNode node = transfers.putObject(t.transferId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("amount", t.request().amount().toDecimalString());
                node.put("postedAmount", t.postedAmount().toDecimalString());
                node.put("currency", t.request().amount().currency().code());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
            }
        });
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }

    private static Money jpy(String amount) {
        return Money.parse(amount, JPY);
    }
}
