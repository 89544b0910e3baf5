package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.ledger.Ledger;
import dev.ledger.domain.ledger.LedgerResult;
import dev.ledger.domain.ledger.StreamChange;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transfer.TransferState;
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
 * Wrote the stored-form fixture {@code stored-form/log-v2.jsonl} and {@code log-v2-expected.json}: a
 * whole events table with what issue 12 added to the stored form (a post's {@code requestedAmount},
 * the reversal stream type with {@code ReversalRecorded} and {@code ReversalRejected},
 * {@code TransferReversed}, {@code EntryReversed}, a snapshot's {@code postRequest} and
 * {@code reversedAmount}), which {@link StoredFormFixtureV2Test} checks the current code against.
 *
 * <p><b>Frozen like {@code log-v1}</b> (see {@link StoredFormFixtureGeneratorIT}): never regenerate it
 * or edit it because the code changed; a later change to the stored form adds {@code log-v3}. Disabled
 * unless {@code -Dledger.storedFormV2.out=DIR} is set; writes only there and never over a file:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureV2GeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedFormV2.out=$PWD/target/stored-form-v2
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureV2GeneratorIT.OUT, matches = ".+")
class StoredFormFixtureV2GeneratorIT {

    static final String OUT = "ledger.storedFormV2.out";

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit BHD = CurrencyUnit.of("BHD");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T09:00:00Z"));
    private final Map<StreamId, StreamState> states = new TreeMap<>();
    private final Map<StreamId, StoredEvent> lastEvents = new TreeMap<>();
    private LedgerWriter commands;
    private int step;

    @Test
    void writeTheFixture(AwsClients aws, TestNames names) throws IOException {
        Path out = Path.of(System.getProperty(OUT));
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("stored-form-v2");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, "log-v2", items, expectations(items));
    }

    private void workload() {
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-bank-bhd", l -> l.openAccount(new OpenAccount("bank-bhd", BHD, OverdraftLimit.UNLIMITED)));
        apply("open-alice", l -> l.openAccount(new OpenAccount("alice", EUR, OverdraftLimit.NONE)));
        apply("open-shop", l -> l.openAccount(new OpenAccount("shop", EUR, OverdraftLimit.of(1_000))));
        apply("open-omar", l -> l.openAccount(new OpenAccount("omar", BHD, OverdraftLimit.NONE)));
        apply("fund-alice", l -> l.transfer("fund-alice", TransferRequest.posted("bank", "alice", eur("300.00"))));
        apply("fund-omar", l -> l.transfer("fund-omar", TransferRequest.posted("bank-bhd", "omar", bhd("50.000"))));

        // Posts that record what they asked for: none (the whole hold), and an amount; then each again.
        apply("hold-whole", l -> l.transfer("hold-whole", TransferRequest.pending("alice", "shop", eur("40.00"), 3600)));
        apply("hold-whole-post", l -> l.postPendingTransfer("hold-whole", null));
        assertThat(apply("hold-whole-post-again", l -> l.postPendingTransfer("hold-whole", null)).status())
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        apply("hold-part", l -> l.transfer("hold-part", TransferRequest.pending("omar", "bank-bhd", bhd("10.500"), 600)));
        apply("hold-part-post", l -> l.postPendingTransfer("hold-part", bhd("4.125")));
        apply("hold-void", l -> l.transfer("hold-void", TransferRequest.pending("alice", "shop", eur("5.00"), 600)));
        apply("hold-void-void", l -> l.voidPendingTransfer("hold-void"));

        // Reversals: in part with metadata, the rest (no amount), of a hold posted in part, forced past the
        // floor by an operator, and refused (recorded); a reversal sent again appends nothing.
        apply("pay", l -> l.transfer("pay", TransferRequest.posted("alice", "shop", eur("60.00"))));
        apply("refund-1", l -> l.reverseTransfer("refund-1", "pay", c -> new ReversalRequest(OriginalKind.TRANSFER,
                "pay", Money.parse("15.50", c), false, new TreeMap<>(Map.of("case", "C-7 caf\u00e9")))));
        assertThat(apply("refund-1-again", l -> l.reverseTransfer("refund-1", "pay", c -> new ReversalRequest(
                OriginalKind.TRANSFER, "pay", Money.parse("15.50", c), false,
                new TreeMap<>(Map.of("case", "C-7 caf\u00e9"))))).status()).isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        apply("refund-rest", l -> l.reverseTransfer("refund-rest", "pay",
                c -> ReversalRequest.ofTransfer("pay", null)));
        apply("refund-bhd", l -> l.reverseTransfer("refund-bhd", "hold-part",
                c -> ReversalRequest.ofTransfer("hold-part", Money.parse("1.005", c))));
        apply("shop-pays-out", l -> l.transfer("shop-pays-out", TransferRequest.posted("shop", "bank", eur("40.00"))));
        LedgerResult short_ = apply("refund-short", l -> l.reverseTransfer("refund-short", "hold-whole",
                c -> ReversalRequest.ofTransfer("hold-whole", Money.parse("20.00", c))));
        assertThat(short_.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        apply("refund-forced", l -> l.reverseTransfer("refund-forced", "hold-whole", c -> new ReversalRequest(
                OriginalKind.TRANSFER, "hold-whole", Money.parse("20.00", c), true, new TreeMap<>())));
        LedgerResult notPosted = apply("refund-voided", l -> l.reverseTransfer("refund-voided", "hold-void",
                c -> ReversalRequest.ofTransfer("hold-void", null)));
        assertThat(notPosted.rejection().code()).isEqualTo(RejectionCode.TRANSFER_NOT_POSTED);

        assertThat(((AccountState) states.get(StreamId.account("shop"))).balance()).as("10.00 past its floor, by force")
                .isEqualTo(-20_00);
        assertThat(((TransferState) states.get(StreamId.transfer("pay"))).reversibleAmount().isPositive()).isFalse();
    }

    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-v2-%02d-%s", step, name), command);
        for (StreamChange change : committed.result().changes()) {
            states.put(change.stream(), change.stateAfter());
        }
        committed.events().forEach(event -> lastEvents.put(event.stream(), event));
        clock.advance(step % 4 == 0 ? Duration.ofMillis(1_250) : Duration.ofSeconds(7));
        return committed.result();
    }


    /** What the domain said at the time, per stream: the fixture test must fold the log to exactly this. */
    private String expectations(List<Map<String, AttributeValue>> items) throws IOException {
        ObjectNode root = FixtureLogTable.header("log-v2.jsonl", items);
        ObjectNode accounts = root.putObject("accounts");
        ObjectNode transfers = root.putObject("transfers");
        ObjectNode reversals = root.putObject("reversals");
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
                node.put("reversedAmount", t.reversedAmount().toDecimalString());
                node.put("postRequest", t.postRequest() == null ? null : t.postRequest().toString());
            } else if (state instanceof ReversalState r) {
                ObjectNode node = reversals.putObject(r.reversalId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("originalId", r.request().originalId());
                node.put("amount", r.amount() == null ? null : r.amount().toString());
                node.put("forced", r.request().force());
                node.put("rejectionCode", r.rejection() == null ? null : r.rejection().code().code());
            }
        });
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }

    private static Money bhd(String amount) {
        return Money.parse(amount, BHD);
    }
}
