package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.infra.local.CommandJournal.Call;
import dev.ledger.infra.local.CommandJournal.Command;
import dev.ledger.infra.local.CommandJournal.Kind;
import dev.ledger.infra.local.SimulatedClient.AccountSpec;
import dev.ledger.store.CanonicalJson;
import dev.ledger.store.EventCodec;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The simulation's invariants on small hand-made logs: they hold for an honest one, and each of the
 * checks for transactions and reversals fails when the log breaks what it checks (so a green
 * simulation means something).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SimulationInvariantsTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final Instant AT = Instant.parse("2026-11-29T12:00:00Z");
    private static final AccountSpec FUNDING = new AccountSpec("eur-funding", "EUR", 2, null, true);
    // An overdraft of 1,000.00 EUR: no check here is about the floor.
    private static final AccountSpec A = new AccountSpec("eur-a", "EUR", 2, 100_000L, true);
    private static final AccountSpec B = new AccountSpec("eur-b", "EUR", 2, 100_000L, true);
    // Sharded (issue 13), in 2 shards, with no overdraft: its shards' floors are zero.
    private static final AccountSpec C = new AccountSpec("eur-c", "EUR", 2, 0L, true, 2);
    private static final String C1 = "eur-c#1";

    private final List<AccountSpec> specs = new ArrayList<>(List.of(FUNDING, A, B));

    private final CommandJournal journal = new CommandJournal();
    private final Map<String, List<LedgerEvent>> accounts = new LinkedHashMap<>();
    private final Map<String, List<LedgerEvent>> transfers = new LinkedHashMap<>();
    private final Map<String, List<LedgerEvent>> transactions = new LinkedHashMap<>();
    private final Map<String, List<LedgerEvent>> reversals = new LinkedHashMap<>();

    SimulationInvariantsTest() {
        for (AccountSpec account : List.of(FUNDING, A, B)) {
            answer(new Command(Kind.OPEN_ACCOUNT, account.id(), account.openBody(), false), 201);
            accounts.put(account.id(), new ArrayList<>(List.of(new AccountOpened(account.id(), EUR,
                    account.overdraftLimit() == null ? OverdraftLimit.UNLIMITED : OverdraftLimit.of(account.overdraftLimit())))));
        }
        // t1: 100.00 EUR from the funding account to eur-a, at once.
        ObjectNode transfer = JsonNodeFactory.instance.objectNode().put("transferId", "t1")
                .put("debitAccountId", FUNDING.id()).put("creditAccountId", A.id()).put("amount", "100.00")
                .put("currency", "EUR");
        answer(new Command(Kind.TRANSFER, "t1", transfer, false), 201);
        transfers.put("t1", new ArrayList<>(List.of(new TransferRecorded("t1",
                new TransferRequest(FUNDING.id(), A.id(), eur(10_000), false, 0, new TreeMap<>()), null))));
        accounts.get(FUNDING.id()).add(new EntryPosted(FUNDING.id(), "t1", Side.DEBIT, A.id(), eur(10_000)));
        accounts.get(A.id()).add(new EntryPosted(A.id(), "t1", Side.CREDIT, FUNDING.id(), eur(10_000)));
    }

    @Test
    void an_honest_log_with_a_reversal_and_a_transaction_keeps_every_invariant() {
        reverse("r1", 3_000, 201);
        transaction("x1", 2_500, 201, true);

        assertThatCode(this::check).doesNotThrowAnyException();
    }

    @Test
    void reversals_giving_back_more_than_the_transfer_posted_are_found() {
        reverse("r1", 6_000, 201);
        reverse("r2", 6_000, 201);

        assertThatThrownBy(this::check).hasMessageContaining("at most what it posted");
    }

    @Test
    void a_refused_reversal_whose_legs_are_in_the_log_is_found() {
        reverse("r1", 3_000, 422);

        assertThatThrownBy(this::check).hasMessageContaining("account legs of reversal r1, refused every time");
    }

    @Test
    void an_acknowledged_reversal_without_its_transfer_event_is_found() {
        reverse("r1", 3_000, 201);
        transfers.get("t1").remove(1);

        assertThatThrownBy(this::check).hasMessageContaining("reversal legs naming transfer t1");
    }

    @Test
    void an_acknowledged_transaction_missing_an_accounts_leg_is_found() {
        transaction("x1", 2_500, 201, false);

        assertThatThrownBy(this::check).hasMessageContaining("the legs opening transaction x1: one per distinct account");
    }

    @Test
    void a_refused_transaction_whose_legs_are_in_the_log_is_found() {
        transaction("x1", 2_500, 422, true);

        assertThatThrownBy(this::check).hasMessageContaining("legs of transaction x1, refused every time");
    }

    @Test
    void a_post_sent_again_after_it_completed_the_hold_keeps_every_invariant() {
        postedHold("h1");
        answer(new Command(Kind.POST_HOLD, "h1", null, false), 200);
        answer(new Command(Kind.POST_HOLD, "h1", null, false), 200);

        assertThatCode(this::check).doesNotThrowAnyException();
    }

    @Test
    void a_void_acknowledged_after_a_post_completed_the_hold_is_found() {
        postedHold("h1");
        answer(new Command(Kind.POST_HOLD, "h1", null, false), 200);
        answer(new Command(Kind.VOID_HOLD, "h1", null, false), 200);

        assertThatThrownBy(this::check).hasMessageContaining("hold h1 completed by");
    }

    @Test
    void a_sharded_account_with_a_leg_on_a_shard_and_a_move_between_its_shards_keeps_every_invariant() {
        openShardedC();
        fundC("t2", 2_000, 1);
        moveWithinC("m1", 500, true);

        assertThatCode(this::check).doesNotThrowAnyException();
    }

    @Test
    void a_move_between_shards_with_one_side_only_is_found() {
        openShardedC();
        fundC("t2", 2_000, 1);
        moveWithinC("m1", 500, false);

        assertThatThrownBy(this::check).hasMessageContaining("the sides of shard move m1 from eur-c#1 to eur-c");
    }

    @Test
    void a_shard_below_its_own_floor_is_found_though_the_account_as_a_whole_is_not() {
        openShardedC();
        fundC("t2", 2_000, 1);
        // 5.00 EUR paid from shard 0, which holds nothing: the account holds 20.00, but on shard 1.
        answer(new Command(Kind.TRANSFER, "t3", JsonNodeFactory.instance.objectNode().put("transferId", "t3")
                .put("debitAccountId", C.id()).put("creditAccountId", B.id()).put("amount", "5.00")
                .put("currency", "EUR"), false), 201);
        transfers.put("t3", new ArrayList<>(List.of(new TransferRecorded("t3",
                new TransferRequest(C.id(), B.id(), eur(500), false, 0, new TreeMap<>()), null, 0, 0))));
        accounts.get(C.id()).add(new EntryPosted(C.id(), "t3", Side.DEBIT, B.id(), eur(500)));
        accounts.get(B.id()).add(new EntryPosted(B.id(), "t3", Side.CREDIT, C.id(), eur(500)));

        assertThatThrownBy(this::check).hasMessageContaining("eur-c after v3 (EntryPosted): available");
    }

    @Test
    void a_leg_on_another_shard_than_the_transfer_recorded_is_found() {
        openShardedC();
        fundC("t2", 2_000, 0);
        // The leg is on shard 1, the transfer says shard 0.
        accounts.get(C.id()).remove(accounts.get(C.id()).size() - 1);
        accounts.get(C1).add(new EntryPosted(C1, "t2", Side.CREDIT, FUNDING.id(), eur(2_000)));

        assertThatThrownBy(this::check).hasMessageContaining("the shards transfer t2's opening legs are on");
    }

    // ----------------------------------------------------------------------------------------

    /** eur-c, opened (201) with 2 shards: its own stream and shard 1's. */
    private void openShardedC() {
        specs.add(C);
        answer(new Command(Kind.OPEN_ACCOUNT, C.id(), C.openBody(), false), 201);
        accounts.put(C.id(), new ArrayList<>(List.of(new AccountOpened(C.id(), EUR, OverdraftLimit.of(0)),
                new AccountSharded(C.id(), 2))));
        accounts.put(C1, new ArrayList<>(List.of(new ShardOpened(C1, EUR, OverdraftLimit.of(0), false))));
    }

    /** Transfer {@code id}: {@code cents} from the funding account to eur-c, its credit on {@code shard}. */
    private void fundC(String id, long cents, int shard) {
        String stream = shard == 0 ? C.id() : C1;
        answer(new Command(Kind.TRANSFER, id, JsonNodeFactory.instance.objectNode().put("transferId", id)
                .put("debitAccountId", FUNDING.id()).put("creditAccountId", C.id())
                .put("amount", eur(cents).toDecimalString()).put("currency", "EUR"), false), 201);
        transfers.put(id, new ArrayList<>(List.of(new TransferRecorded(id,
                new TransferRequest(FUNDING.id(), C.id(), eur(cents), false, 0, new TreeMap<>()), null, 0, shard))));
        accounts.get(FUNDING.id()).add(new EntryPosted(FUNDING.id(), id, Side.DEBIT, C.id(), eur(cents)));
        accounts.get(stream).add(new EntryPosted(stream, id, Side.CREDIT, FUNDING.id(), eur(cents)));
    }

    /** Move {@code id}: {@code cents} from eur-c's shard 1 to its shard 0; the receiving side only if {@code both}. */
    private void moveWithinC(String id, long cents, boolean both) {
        accounts.get(C1).add(new ShardFundsMoved(C1, id, Side.DEBIT, C.id(), eur(cents)));
        if (both) {
            accounts.get(C.id()).add(new ShardFundsMoved(C.id(), id, Side.CREDIT, C1, eur(cents)));
        }
    }

    /** Hold {@code id} of 10.00 EUR from eur-a to eur-b, recorded (201) and posted in full in the log. */
    private void postedHold(String id) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("transferId", id).put("debitAccountId", A.id())
                .put("creditAccountId", B.id()).put("amount", "10.00").put("currency", "EUR").put("pending", true)
                .put("timeoutSeconds", 3600);
        answer(new Command(Kind.TRANSFER, id, body, false), 201);
        transfers.put(id, new ArrayList<>(List.of(
                new TransferRecorded(id, new TransferRequest(A.id(), B.id(), eur(1_000), true, 3600, new TreeMap<>()),
                        AT.plusSeconds(3600)),
                new PendingTransferPosted(id, eur(1_000), eur(0), PostRequest.whole()))));
        accounts.get(A.id()).add(new HoldPlaced(A.id(), id, Side.DEBIT, B.id(), eur(1_000), AT.plusSeconds(3600)));
        accounts.get(B.id()).add(new HoldPlaced(B.id(), id, Side.CREDIT, A.id(), eur(1_000), AT.plusSeconds(3600)));
        accounts.get(A.id()).add(new HoldPosted(A.id(), id, Side.DEBIT, B.id(), eur(1_000), eur(1_000)));
        accounts.get(B.id()).add(new HoldPosted(B.id(), id, Side.CREDIT, A.id(), eur(1_000), eur(1_000)));
    }

    private void check() {
        SimulationInvariants invariants = new SimulationInvariants(specs, journal);
        invariants.assertHold(new ProjectionsAgainstLog.Logs(stored(accounts, StreamId::account),
                stored(transfers, StreamId::transfer), stored(transactions, StreamId::transaction),
                stored(reversals, StreamId::reversal)));
    }

    /** Reversal {@code id} of t1 for {@code cents}, answered {@code status}; its events are in the log either way. */
    private void reverse(String id, long cents, int status) {
        Money amount = eur(cents);
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("reversalId", id).put("amount", amount.toDecimalString());
        answer(new Command(Kind.REVERSE, id, body, false, "t1"), status);
        reversals.put(id, List.of(new ReversalRecorded(id, new ReversalRequest(OriginalKind.TRANSFER, "t1", amount, false,
                new TreeMap<>()), amount, List.of(new ReversalEvent.Leg(A.id(), Side.DEBIT, amount),
                new ReversalEvent.Leg(FUNDING.id(), Side.CREDIT, amount)))));
        transfers.get("t1").add(new TransferReversed("t1", id, amount, false));
        accounts.get(A.id()).add(new EntryReversed(A.id(), "t1", id, Side.DEBIT, FUNDING.id(), amount, false));
        accounts.get(FUNDING.id()).add(new EntryReversed(FUNDING.id(), "t1", id, Side.CREDIT, A.id(), amount, false));
    }

    /**
     * Transaction {@code id}: eur-a pays {@code cents} to eur-b and pays itself back 1.00 EUR, answered
     * {@code status}; recorded in the log either way, with eur-b's leg only if {@code bothLegs}.
     */
    private void transaction(String id, long cents, int status, boolean bothLegs) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("transactionId", id);
        body.putArray("entries")
                .add(entry(A, "debit", cents)).add(entry(B, "credit", cents - 100)).add(entry(A, "credit", 100));
        body.putObject("metadata");
        answer(new Command(Kind.TRANSACTION, id, body, false), status);
        List<TransactionEntry> entries = List.of(new TransactionEntry(0, A.id(), Side.DEBIT, eur(cents)),
                new TransactionEntry(1, B.id(), Side.CREDIT, eur(cents - 100)),
                new TransactionEntry(2, A.id(), Side.CREDIT, eur(100)));
        transactions.put(id, List.of(new TransactionRecorded(id, new TransactionRequest(entries, false, 0,
                new TreeMap<>()), null)));
        accounts.get(A.id()).add(new TransactionEntriesPosted(A.id(), id, entries));
        if (bothLegs) {
            accounts.get(B.id()).add(new TransactionEntriesPosted(B.id(), id, entries));
        }
    }

    private static ObjectNode entry(AccountSpec account, String direction, long cents) {
        return JsonNodeFactory.instance.objectNode().put("accountId", account.id()).put("direction", direction)
                .put("amount", eur(cents).toDecimalString()).put("currency", "EUR");
    }

    private void answer(Command command, int status) {
        journal.record(new Call(1, command, status, status < 300 ? "{\"answer\":\"" + command.subject() + "\"}"
                : "{\"error\":\"refused\",\"message\":\"refused\"}"));
    }

    private static Money eur(long cents) {
        return Money.of(cents, EUR);
    }

    private static Map<String, List<StoredEvent>> stored(Map<String, List<LedgerEvent>> streams,
                                                         Function<String, StreamId> kind) {
        Map<String, List<StoredEvent>> stored = new LinkedHashMap<>();
        streams.forEach((id, events) -> {
            List<StoredEvent> log = new ArrayList<>();
            for (LedgerEvent event : events) {
                long version = log.size() + 1;
                EventCodec.Encoded encoded = EventCodec.encode(event);
                log.add(new StoredEvent(kind.apply(id), version, encoded.type(), encoded.schemaVersion(),
                        AT.plusSeconds(version), EventCodec.transferIdOf(event), "test",
                        CanonicalJson.string(encoded.body()), "hash-" + version));
            }
            stored.put(id, log);
        });
        return stored;
    }
}
