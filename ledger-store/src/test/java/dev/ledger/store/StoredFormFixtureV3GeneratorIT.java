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
import dev.ledger.domain.api.Side;
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
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
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
 * Wrote the stored-form fixture {@code stored-form/log-v3-transaction-reversals.jsonl} and its
 * {@code -expected.json}: a whole events table with what the reversal of multi-leg transactions added
 * to the stored form ({@code TransactionReversed}, {@code TransactionEntriesReversed}, a
 * {@code ReversalRecorded} and a {@code ReversalRejected} whose request names a transaction, the
 * snapshots' {@code reversalId} and {@code reversalForced}), beside the transaction events it needs,
 * which {@link StoredFormFixtureV3Test} checks the current code against. (Named after what it holds, so
 * another change's {@code log-v3} cannot collide with it.)
 *
 * <p><b>Frozen like {@code log-v1}</b> (see {@link StoredFormFixtureGeneratorIT}): never regenerate it
 * or edit it because the code changed. Disabled unless {@code -Dledger.storedFormV3.out=DIR} is set;
 * writes only there and never over a file:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureV3GeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedFormV3.out=$PWD/target/stored-form-v3
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureV3GeneratorIT.OUT, matches = ".+")
class StoredFormFixtureV3GeneratorIT {

    static final String FIXTURE = "log-v3-transaction-reversals";
    static final String OUT = "ledger.storedFormV3.out";

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
        String table = names.table("stored-form-v3");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, FIXTURE, items, expectations(items));
    }

    private void workload() {
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-bank-bhd", l -> l.openAccount(new OpenAccount("bank-bhd", BHD, OverdraftLimit.UNLIMITED)));
        apply("open-card", l -> l.openAccount(new OpenAccount("card", EUR, OverdraftLimit.NONE)));
        apply("open-merchant", l -> l.openAccount(new OpenAccount("merchant", EUR, OverdraftLimit.of(1_000))));
        apply("open-fees", l -> l.openAccount(new OpenAccount("fees", EUR, OverdraftLimit.NONE)));
        apply("open-omar", l -> l.openAccount(new OpenAccount("omar", BHD, OverdraftLimit.NONE)));
        apply("fund-card", l -> l.transfer("fund-card", TransferRequest.posted("bank", "card", eur("500.00"))));
        apply("fund-omar", l -> l.transfer("fund-omar", TransferRequest.posted("bank-bhd", "omar", bhd("50.000"))));

        // A card payment with its fee, posted at once, reversed in full with metadata (and again: nothing).
        apply("pay-1", l -> l.transaction("pay-1", payment(false, Map.of("order", "A-17"))));
        ReversalRequest refund = new ReversalRequest(OriginalKind.TRANSACTION, "pay-1", null, false,
                new TreeMap<>(Map.of("case", "C-7 caf\u00e9")));
        apply("refund-1", l -> l.reverseTransaction("refund-1", refund));
        assertThat(apply("refund-1-again", l -> l.reverseTransaction("refund-1", refund)).status())
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        LedgerResult twice = apply("refund-1b", l -> l.reverseTransaction("refund-1b", whole("pay-1", false)));
        assertThat(twice.rejection().code()).isEqualTo(RejectionCode.REVERSAL_EXCEEDS_POSTED);

        // A pending one posted (and the post again), then reversed by an operator past merchant's floor.
        apply("pay-2", l -> l.transaction("pay-2", payment(true, Map.of())));
        apply("pay-2-post", l -> l.postPendingTransaction("pay-2"));
        assertThat(apply("pay-2-post-again", l -> l.postPendingTransaction("pay-2")).status())
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        apply("merchant-pays-out", l -> l.transfer("merchant-pays-out",
                TransferRequest.posted("merchant", "bank", eur("100.00"))));
        LedgerResult short_ = apply("refund-2-short", l -> l.reverseTransaction("refund-2-short", whole("pay-2", false)));
        assertThat(short_.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        apply("refund-2-forced", l -> l.reverseTransaction("refund-2-forced", whole("pay-2", true)));

        // An exchange in two currencies, reversed; a voided one (and the void again) cannot be.
        apply("exchange", l -> l.transaction("exchange", new TransactionRequest(List.of(
                new TransactionEntry(0, "card", Side.DEBIT, eur("20.00")),
                new TransactionEntry(1, "bank", Side.CREDIT, eur("20.00")),
                new TransactionEntry(2, "bank-bhd", Side.DEBIT, bhd("8.125")),
                new TransactionEntry(3, "omar", Side.CREDIT, bhd("8.125"))), false, 0, new TreeMap<>())));
        apply("refund-exchange", l -> l.reverseTransaction("refund-exchange", whole("exchange", false)));
        apply("pay-3", l -> l.transaction("pay-3", payment(true, Map.of())));
        apply("pay-3-void", l -> l.voidPendingTransaction("pay-3"));
        assertThat(apply("pay-3-void-again", l -> l.voidPendingTransaction("pay-3")).status())
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
        LedgerResult notPosted = apply("refund-3", l -> l.reverseTransaction("refund-3", whole("pay-3", false)));
        assertThat(notPosted.rejection().code()).isEqualTo(RejectionCode.TRANSACTION_NOT_POSTED);

        assertThat(((AccountState) states.get(StreamId.account("merchant"))).balance())
                .as("97.10 back past its floor of 10.00, by force").isEqualTo(-100_00);
        assertThat(((AccountState) states.get(StreamId.account("card"))).balance()).isEqualTo(500_00);
    }

    /** A card payment of 100.00 EUR with a fee of 2.90. */
    private static TransactionRequest payment(boolean pending, Map<String, String> metadata) {
        return new TransactionRequest(List.of(
                new TransactionEntry(0, "card", Side.DEBIT, eur("100.00")),
                new TransactionEntry(1, "merchant", Side.CREDIT, eur("97.10")),
                new TransactionEntry(2, "fees", Side.CREDIT, eur("2.90"))), pending, pending ? 3600 : 0,
                new TreeMap<>(metadata));
    }

    private static ReversalRequest whole(String transactionId, boolean force) {
        return new ReversalRequest(OriginalKind.TRANSACTION, transactionId, null, force, new TreeMap<>());
    }

    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-v3-%02d-%s", step, name), command);
        for (StreamChange change : committed.result().changes()) {
            states.put(change.stream(), change.stateAfter());
        }
        committed.events().forEach(event -> lastEvents.put(event.stream(), event));
        clock.advance(step % 4 == 0 ? Duration.ofMillis(1_250) : Duration.ofSeconds(7));
        return committed.result();
    }


    /** What the domain said at the time, per stream: the fixture test must fold the log to exactly this. */
    private String expectations(List<Map<String, AttributeValue>> items) throws IOException {
        ObjectNode root = FixtureLogTable.header(FIXTURE + ".jsonl", items);
        ObjectNode accounts = root.putObject("accounts");
        ObjectNode transfers = root.putObject("transfers");
        ObjectNode reversals = root.putObject("reversals");
        ObjectNode transactions = root.putObject("transactions");
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
            } else if (state instanceof TransactionState t) {
                ObjectNode node = transactions.putObject(t.transactionId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("status", t.status().name());
                node.put("rejectionCode", t.rejection() == null ? null : t.rejection().code().code());
                node.put("reversalId", t.reversedBy() == null ? null : t.reversedBy().reversalId());
                node.put("reversalForced", t.reversedBy() == null ? null : Boolean.toString(t.reversedBy().forced()));
            } else if (state instanceof ReversalState r) {
                ObjectNode node = reversals.putObject(r.reversalId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("originalId", r.request().originalId());
                node.put("amount", r.amount() == null ? null : r.amount().toString());
                node.put("legs", r.legs().toString());
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
