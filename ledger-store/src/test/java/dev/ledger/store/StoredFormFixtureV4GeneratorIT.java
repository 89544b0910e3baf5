package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
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
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
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
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Wrote the stored-form fixture {@code stored-form/log-v4-batches.jsonl} and its {@code -expected.json}:
 * a whole events table with every event type no earlier fixture holds: batch streams ({@code BatchRecorded}
 * of an atomic batch whose items share an account, one of them recorded before with the same content;
 * {@code BatchRecorded} of a batch that is not atomic, its items run as their own commands as the batch API
 * runs them, one refused; {@code BatchRejected} of an atomic batch its second item refused), and
 * {@code TransactionRejected}, {@code PendingTransactionExpired} and {@code TransactionHoldExpired}, which
 * {@link StoredFormFixtureV4Test} checks the current code against.
 *
 * <p><b>Frozen like {@code log-v1}</b> (see {@link StoredFormFixtureGeneratorIT}): never regenerate it
 * or edit it because the code changed. Disabled unless {@code -Dledger.storedFormV4.out=DIR} is set;
 * writes only there and never over a file:
 * <pre>
 * mvn -o -pl ledger-store -am verify -Dit.test=StoredFormFixtureV4GeneratorIT -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dledger.storedFormV4.out=$PWD/target/stored-form-v4
 * </pre>
 */
@ExtendWith(LocalAwsExtension.class)
@EnabledIfSystemProperty(named = StoredFormFixtureV4GeneratorIT.OUT, matches = ".+")
class StoredFormFixtureV4GeneratorIT {

    static final String FIXTURE = "log-v4-batches";
    static final String OUT = "ledger.storedFormV4.out";

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T09:00:00Z"));
    private final Map<StreamId, StreamState> states = new TreeMap<>();
    private final Map<StreamId, StoredEvent> lastEvents = new TreeMap<>();
    private LedgerWriter commands;
    private int step;

    @Test
    void writeTheFixture(AwsClients aws, TestNames names) throws IOException {
        Path out = Path.of(System.getProperty(OUT));
        DynamoDbClient dynamo = aws.dynamoDb();
        String table = names.table("stored-form-v4");
        EventsTableSchema.create(dynamo, table);
        commands = new LedgerWriter(new DynamoEventStore(dynamo, table), clock);

        workload();

        List<Map<String, AttributeValue>> items = FixtureLogTable.scanInKeyOrder(dynamo, table);
        FixtureLogTable.write(out, FIXTURE, items, expectations(items));
    }

    private void workload() {
        apply("open-bank", l -> l.openAccount(new OpenAccount("bank", EUR, OverdraftLimit.UNLIMITED)));
        apply("open-card", l -> l.openAccount(new OpenAccount("card", EUR, OverdraftLimit.NONE)));
        apply("open-merchant", l -> l.openAccount(new OpenAccount("merchant", EUR, OverdraftLimit.NONE)));
        apply("open-fees", l -> l.openAccount(new OpenAccount("fees", EUR, OverdraftLimit.NONE)));
        apply("fund-card", l -> l.transfer("fund-card", TransferRequest.posted("bank", "card", eur("300.00"))));

        // A payment recorded on its own, then again as the first item of an atomic batch (done before: nothing
        // is written for it), beside a transfer and a transaction that share the card with it.
        apply("pay-1", l -> l.transaction("pay-1", payment("100.00", "97.10", "2.90", false)));
        BatchRequest atomic = BatchDigest.request(true, List.of(
                new TransactionItem("pay-1", payment("100.00", "97.10", "2.90", false)),
                new TransferItem("batch-1-transfer", TransferRequest.posted("card", "merchant", eur("50.00"))),
                new TransactionItem("pay-2", payment("100.00", "97.10", "2.90", false))));
        LedgerResult recorded = apply("batch-1", l -> l.atomicBatch("batch-1", atomic));
        assertThat(recorded.status()).isEqualTo(LedgerResult.Status.APPLIED);
        assertThat(((BatchState) states.get(StreamId.batch("batch-1"))).items()).extracting(ItemOutcome::outcome)
                .containsExactly(Outcome.ALREADY_APPLIED, Outcome.APPLIED, Outcome.APPLIED);
        assertThat(apply("batch-1-again", l -> l.atomicBatch("batch-1", atomic)).status())
                .isEqualTo(LedgerResult.Status.ALREADY_APPLIED);

        // An atomic batch refused by its second item: the card has 50.00 left; only the batch's refusal is kept.
        BatchRequest refused = BatchDigest.request(true, List.of(
                new TransferItem("batch-2-transfer", TransferRequest.posted("card", "merchant", eur("10.00"))),
                new TransactionItem("pay-big", payment("1000.00", "970.00", "30.00", false))));
        LedgerResult rejected = apply("batch-2", l -> l.atomicBatch("batch-2", refused));
        assertThat(rejected.rejection().code()).isEqualTo(RejectionCode.INSUFFICIENT_FUNDS);
        assertThat(rejected.rejection().failedItem()).isEqualTo(1);
        assertThat(states).doesNotContainKeys(StreamId.transfer("batch-2-transfer"), StreamId.transaction("pay-big"));

        // A batch that is not atomic, as the batch API runs it: each item its own command (the refused
        // transaction records its TransactionRejected), then the batch's record of what each did.
        BatchRequest independent = BatchDigest.request(false, List.of(
                new TransferItem("batch-3-transfer", TransferRequest.posted("card", "merchant", eur("5.00"))),
                new TransactionItem("pay-over", payment("500.00", "485.50", "14.50", false)),
                new TransactionItem("pay-1", payment("100.00", "97.10", "2.90", false))));
        List<ItemOutcome> outcomes = new ArrayList<>();
        for (int index = 0; index < independent.items().size(); index++) {
            outcomes.add(run(index, independent.items().get(index)));
        }
        assertThat(outcomes).extracting(ItemOutcome::outcome)
                .containsExactly(Outcome.APPLIED, Outcome.REJECTED, Outcome.ALREADY_APPLIED);
        assertThat(apply("batch-3", l -> l.recordBatch("batch-3", independent, outcomes)).status())
                .isEqualTo(LedgerResult.Status.APPLIED);

        // A pending payment left to run out: the clock passes its timeout and the sweeper's command expires it.
        apply("pay-3", l -> l.transaction("pay-3", payment("20.00", "19.42", "0.58", true)));
        clock.advance(Duration.ofSeconds(PENDING_TIMEOUT_SECONDS + 1));
        apply("pay-3-expire", l -> l.expirePendingTransaction("pay-3"));
        assertThat(((TransactionState) states.get(StreamId.transaction("pay-3"))).status())
                .isEqualTo(TransactionStatus.EXPIRED);

        assertThat(((AccountState) states.get(StreamId.account("card"))).balance()).isEqualTo(45_00);
        assertThat(((AccountState) states.get(StreamId.account("card"))).debitsPending()).isZero();
    }

    private static final long PENDING_TIMEOUT_SECONDS = 60;

    /** One item of a batch that is not atomic, run as its own command, and its outcome as the batch API keeps it. */
    private ItemOutcome run(int index, BatchItem item) {
        LedgerResult result = apply("batch-3-item-" + index, l -> item instanceof TransferItem transfer
                ? l.transfer(transfer.transferId(), transfer.request())
                : l.transaction(((TransactionItem) item).transactionId(), ((TransactionItem) item).request()));
        if (result.isRejected()) {
            return new ItemOutcome(index, item.kind(), item.id(), null, Outcome.REJECTED,
                    result.rejection().code().code(), result.rejection().message(), result.rejection().failedEntry());
        }
        Outcome outcome = result.status() == LedgerResult.Status.APPLIED ? Outcome.APPLIED : Outcome.ALREADY_APPLIED;
        return new ItemOutcome(index, item.kind(), item.id(), null, outcome, null, null, null);
    }

    /** A card payment to the merchant with a fee. */
    private static TransactionRequest payment(String amount, String merchant, String fee, boolean pending) {
        return new TransactionRequest(List.of(
                new TransactionEntry(0, "card", Side.DEBIT, eur(amount)),
                new TransactionEntry(1, "merchant", Side.CREDIT, eur(merchant)),
                new TransactionEntry(2, "fees", Side.CREDIT, eur(fee))), pending,
                pending ? PENDING_TIMEOUT_SECONDS : 0, new TreeMap<>());
    }

    private LedgerResult apply(String name, Function<Ledger, LedgerResult> command) {
        step++;
        LedgerWriter.Written committed = commands.execute(String.format("fixture-v4-%02d-%s", step, name), command);
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
        ObjectNode batches = root.putObject("batches");
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
            } else if (state instanceof BatchState b) {
                ObjectNode node = batches.putObject(b.batchId());
                node.put("events", last.version());
                node.put("headHash", last.hash());
                node.put("atomic", b.atomic());
                node.put("digest", b.digest());
                node.put("itemCount", b.itemCount());
                node.put("outcomes", b.items().stream().map(i -> i.kind() + " " + i.id() + " " + i.outcome()
                        + (i.code() == null ? "" : " " + i.code())).collect(Collectors.joining(", ")));
                node.put("rejectionCode", b.rejection() == null ? null : b.rejection().code().code());
                node.put("failedItem", b.rejection() == null ? null : b.rejection().failedItem());
            }
        });
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }

    private static Money eur(String amount) {
        return Money.parse(amount, EUR);
    }
}
