package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldExpired;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.infra.local.CommandJournal.Call;
import dev.ledger.infra.local.CommandJournal.Kind;
import dev.ledger.infra.local.SimulatedClient.AccountSpec;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What must hold of the log, whatever the interleaving of the clients: money is conserved per
 * currency (every account's balance, funding accounts' negative ones included, sums to zero, and so
 * do every transaction's legs), no account ever went below its overdraft floor, pending totals equal
 * the open holds and the open pending transactions' nets, every acknowledged command is in the log
 * exactly once, no transfer's reversals give back more than it posted, and no refused command
 * touched an account. Checked on the log as read while the clients are paused.
 *
 * <p>A sharded account (issue 13) is one account to every invariant: its shard streams are read
 * together, a leg on any of them is the account's, its pending totals and its balance are its shards'
 * added up ({@link AccountState#whole}); besides, each shard stream keeps its own floor, each shard k >= 1
 * opens once with {@code ShardOpened}, and the moves between shards ({@code ShardFundsMoved}, which are
 * no transfer's legs) come in pairs that net to zero within the account.
 */
final class SimulationInvariants {

    private static final Set<Integer> DOCUMENTED_STATUSES = Set.of(200, 201, 404, 409, 422);

    private final List<AccountSpec> accounts;
    private final CommandJournal journal;

    SimulationInvariants(List<AccountSpec> accounts, CommandJournal journal) {
        this.accounts = List.copyOf(accounts);
        this.journal = journal;
    }

    /** Every account of the simulation: those the journal names, opened or not. */
    List<String> accountIds() {
        return accounts.stream().map(AccountSpec::id).toList();
    }

    /** Every transfer id a client sent. */
    List<String> transferIds() {
        return journal.subjects(Kind.TRANSFER);
    }

    /** Every multi-leg transaction id a client sent. */
    List<String> transactionIds() {
        return journal.subjects(Kind.TRANSACTION);
    }

    /** Every reversal id a client sent. */
    List<String> reversalIds() {
        return journal.subjects(Kind.REVERSE);
    }

    /** The streams of every account, transfer, transaction and reversal the clients named. */
    List<StreamId> streams() {
        List<StreamId> streams = new ArrayList<>();
        accounts.forEach(spec -> {
            for (int shard = 0; shard < spec.shards(); shard++) {
                streams.add(StreamId.account(AccountShards.streamAccountId(spec.id(), shard)));
            }
        });
        transferIds().forEach(id -> streams.add(StreamId.transfer(id)));
        transactionIds().forEach(id -> streams.add(StreamId.transaction(id)));
        reversalIds().forEach(id -> streams.add(StreamId.reversal(id)));
        return streams;
    }

    /** @param logs the events of every stream of {@link #streams()}, accounts by stream account id */
    void assertHold(ProjectionsAgainstLog.Logs logs) {
        Map<String, List<StoredEvent>> accountLogs = logs.accounts();
        Map<String, List<StoredEvent>> transferLogs = logs.transfers();
        List<Call> calls = journal.calls();
        for (Call call : calls) {
            assertThat(call.status()).as("an answer the API documents: %s", call).isIn(DOCUMENTED_STATUSES);
            if (call.command().mustBeRefused()) {
                assertThat(call.acknowledged()).as("a command the ledger must refuse (a debit beyond any balance, a"
                        + " transaction that does not balance, a reversal past what could be posted or of a reversal)"
                        + " is refused: %s", call).isFalse();
            }
        }
        Map<String, List<LegOn>> legs = legsByTransfer(accountLogs);
        assertThat(legs.keySet()).as("every account leg belongs to a transfer a client sent")
                .isSubsetOf(transferLogs.keySet());
        Map<String, List<TransactionLegOn>> transactionLegs = legsByTransaction(accountLogs);
        assertThat(transactionLegs.keySet()).as("every transaction leg belongs to a transaction a client sent")
                .isSubsetOf(logs.transactions().keySet());
        assertThat(transactionLegs.values().stream().flatMap(List::stream))
                .as("multi-leg transactions keep a sharded account's legs on its own stream (shard 0)")
                .allMatch(leg -> leg.shard() == 0);

        Map<String, AccountState> finalStates = new TreeMap<>();
        Map<String, AccountState> finalStreamStates = new TreeMap<>();
        for (AccountSpec spec : accounts) {
            List<StoredEvent> events = accountLogs.getOrDefault(spec.id(), List.of());
            assertOpenedOnce(spec, events);
            assertFreezesAcknowledged(spec.id(), events);
            if (!events.isEmpty()) {
                List<AccountState> shards = new ArrayList<>();
                int count = ProjectionsAgainstLog.folds(events).get(events.size() - 1).shardCount();
                assertThat(count).as("shards of %s, as its last AccountSharded says", spec.id()).isEqualTo(spec.shards());
                for (int shard = 0; shard < count; shard++) {
                    String stream = AccountShards.streamAccountId(spec.id(), shard);
                    List<StoredEvent> shardEvents = accountLogs.getOrDefault(stream, List.of());
                    assertShardOpenedOnce(spec, shard, shardEvents);
                    List<AccountState> states = ProjectionsAgainstLog.folds(shardEvents);
                    assertNeverBelowFloor(stream, shardEvents, states);
                    shards.add(states.get(states.size() - 1));
                    finalStreamStates.put(stream, states.get(states.size() - 1));
                }
                AccountState whole = AccountState.whole(shards);
                assertWholeNotBelowFloor(spec.id(), whole);
                finalStates.put(spec.id(), whole);
            }
        }
        assertThat(accountLogs.keySet()).as("every account stream read belongs to an account of the run")
                .allMatch(stream -> accountIds().contains(AccountShards.accountOf(stream)));
        assertShardMovesPaired(accountLogs);
        Map<String, TransferState> transfers = new TreeMap<>();
        for (Map.Entry<String, List<StoredEvent>> transfer : transferLogs.entrySet()) {
            String id = transfer.getKey();
            List<LegOn> itsLegs = legs.getOrDefault(id, List.of());
            assertCreatedExactlyOnceIfAcknowledged(id, transfer.getValue(), itsLegs);
            assertSettledExactlyOnceIfAcknowledged(id, transfer.getValue(), itsLegs);
            if (!transfer.getValue().isEmpty()) {
                transfers.put(id, ProjectionsAgainstLog.transferFold(transfer.getValue()));
                assertReversedAtMostWhatWasPosted(id, transfer.getValue(), itsLegs);
            }
        }
        Map<String, TransactionState> transactions = new TreeMap<>();
        for (Map.Entry<String, List<StoredEvent>> transaction : logs.transactions().entrySet()) {
            String id = transaction.getKey();
            List<TransactionLegOn> itsLegs = transactionLegs.getOrDefault(id, List.of());
            assertTransactionRecordedExactlyOnceIfAcknowledged(id, transaction.getValue(), itsLegs);
            assertTransactionSettledExactlyOnceIfAcknowledged(id, transaction.getValue(), itsLegs);
            if (!transaction.getValue().isEmpty()) {
                transactions.put(id, transactionFold(transaction.getValue()));
            }
        }
        Map<String, List<LegOn>> reversalLegs = new TreeMap<>();
        legs.values().forEach(itsLegs -> itsLegs.forEach(leg -> {
            if (leg.event() instanceof EntryReversed reversed) {
                reversalLegs.computeIfAbsent(reversed.reversalId(), k -> new ArrayList<>()).add(leg);
            }
        }));
        Map<String, List<TransferReversed>> reversalMarks = new TreeMap<>();
        transferLogs.values().forEach(events -> events.forEach(event -> {
            if (event.event() instanceof TransferReversed reversed) {
                reversalMarks.computeIfAbsent(reversed.reversalId(), k -> new ArrayList<>()).add(reversed);
            }
        }));
        Set<String> acknowledgedReversals = new TreeSet<>();
        for (Map.Entry<String, List<StoredEvent>> reversal : logs.reversals().entrySet()) {
            String id = reversal.getKey();
            if (assertReversalRecordedExactlyOnceIfAcknowledged(id, reversal.getValue(),
                    reversalLegs.getOrDefault(id, List.of()), reversalMarks.getOrDefault(id, List.of()), transferLogs)) {
                acknowledgedReversals.add(id);
            }
        }
        assertThat(reversalMarks.keySet()).as("every reversal in a transfer's stream was acknowledged to a client")
                .isSubsetOf(acknowledgedReversals);
        assertThat(reversalLegs.keySet()).as("every reversal leg on an account was acknowledged to a client")
                .isSubsetOf(acknowledgedReversals);
        // After the checks of each command, which name the command when one of them breaks conservation.
        assertConserved(finalStreamStates);
        assertConserved(finalStates);
        assertPendingTotalsAreTheOpenHolds(finalStates, transfers, transactions);
    }

    // ----------------------------------------------------------------------------------------

    /**
     * An acknowledged open is the account's one AccountOpened, with the settings of the request
     * that created it (201); the others, refused or answered as already done, changed nothing.
     */
    private void assertOpenedOnce(AccountSpec spec, List<StoredEvent> events) {
        List<Call> opens = journal.about(Kind.OPEN_ACCOUNT, spec.id());
        List<Call> created = opens.stream().filter(call -> call.status() == 201).toList();
        if (opens.stream().noneMatch(Call::acknowledged)) {
            assertThat(events).as("account %s, never acknowledged as opened, has no events", spec.id()).isEmpty();
            return;
        }
        assertThat(created).as("account %s opened with 201 exactly once: %s", spec.id(), opens).hasSize(1);
        assertThat(events).as("account %s's events", spec.id()).isNotEmpty();
        assertThat(events.stream().filter(e -> e.event() instanceof AccountOpened))
                .as("account %s opened once in its stream", spec.id()).hasSize(1);
        AccountOpened opened = (AccountOpened) events.get(0).event();
        JsonNode asked = created.get(0).command().body();
        CurrencyUnit currency = CurrencyUnit.of(asked.path("currency").asText());
        assertThat(opened.currency()).as("currency of %s", spec.id()).isEqualTo(currency);
        assertThat(opened.overdraftLimit()).as("overdraft limit of %s", spec.id()).isEqualTo(asked.path("overdraftLimit")
                .isNull() ? OverdraftLimit.UNLIMITED
                : OverdraftLimit.of(Money.parse(asked.path("overdraftLimit").asText(), currency).minorUnits()));
    }

    /**
     * Shard 0 is the account's own stream (opened by AccountOpened; a sharded one records its count with
     * AccountSharded). Shard k >= 1 starts with its one ShardOpened, in the account's currency, with its
     * part of the floor: none below zero for a finite one (shard 0 keeps the whole), unlimited for an
     * unlimited one; it never holds an AccountOpened or AccountSharded.
     */
    private static void assertShardOpenedOnce(AccountSpec spec, int shard, List<StoredEvent> events) {
        String stream = AccountShards.streamAccountId(spec.id(), shard);
        assertThat(events).as("events of %s, a shard of %s", stream, spec.id()).isNotEmpty();
        if (shard == 0) {
            assertThat(events.stream().filter(e -> e.event() instanceof ShardOpened))
                    .as("shard openings in %s's own stream", spec.id()).isEmpty();
            if (spec.shards() > 1) {
                assertThat(events.stream().filter(e -> e.event() instanceof AccountSharded))
                        .as("%s's own stream records its shard count", spec.id()).isNotEmpty();
            }
            return;
        }
        assertThat(events.get(0).event()).as("first event of %s", stream).isInstanceOf(ShardOpened.class);
        assertThat(events.stream().filter(e -> e.event() instanceof ShardOpened || e.event() instanceof AccountOpened
                || e.event() instanceof AccountSharded)).as("%s opened once, and only as a shard", stream).hasSize(1);
        ShardOpened opened = (ShardOpened) events.get(0).event();
        assertThat(opened.currency()).as("currency of %s", stream).isEqualTo(CurrencyUnit.of(spec.currency()));
        assertThat(opened.overdraftLimit()).as("floor of %s", stream).isEqualTo(spec.overdraftLimit() == null
                ? OverdraftLimit.UNLIMITED : OverdraftLimit.of(0));
    }

    /**
     * Every ShardFundsMoved is one side of a move: a debit gathering what its shard lacks takes from
     * one or more giving shards under the command's id, so per move id, giving and receiving stream
     * exactly one DEBIT on the giver (naming the receiver) and one CREDIT on the receiver (naming the
     * giver), of the same positive amount, on two different shards of the same account. So moves net to
     * zero within their account.
     */
    private static void assertShardMovesPaired(Map<String, List<StoredEvent>> accountLogs) {
        Map<String, List<ShardFundsMoved>> moves = new TreeMap<>();
        accountLogs.values().forEach(events -> events.forEach(event -> {
            if (event.event() instanceof ShardFundsMoved moved) {
                String giver = moved.side() == Side.DEBIT ? moved.accountId() : moved.counterpartyAccountId();
                String receiver = moved.side() == Side.DEBIT ? moved.counterpartyAccountId() : moved.accountId();
                moves.computeIfAbsent(moved.moveId() + " from " + giver + " to " + receiver, k -> new ArrayList<>())
                        .add(moved);
            }
        }));
        moves.forEach((move, sides) -> {
            assertThat(sides).as("the sides of shard move %s: a debit and a credit", move)
                    .extracting(ShardFundsMoved::side).containsExactlyInAnyOrder(Side.DEBIT, Side.CREDIT);
            ShardFundsMoved debit = sides.get(0).side() == Side.DEBIT ? sides.get(0) : sides.get(1);
            ShardFundsMoved credit = sides.get(0).side() == Side.DEBIT ? sides.get(1) : sides.get(0);
            assertThat(debit.amount()).as("amounts of shard move %s", move).isEqualTo(credit.amount());
            assertThat(debit.amount().isPositive()).as("shard move %s moves something", move).isTrue();
            assertThat(AccountShards.accountOf(debit.accountId())).as("account of shard move %s", move)
                    .isEqualTo(AccountShards.accountOf(credit.accountId()));
            assertThat(debit.accountId()).as("the two shards of move %s", move).isNotEqualTo(credit.accountId());
        });
    }

    /** Each AccountFrozen / AccountUnfrozen answers an acknowledged freeze / unfreeze (one may be a no-op). */
    private void assertFreezesAcknowledged(String account, List<StoredEvent> events) {
        long frozen = events.stream().filter(e -> e.event() instanceof AccountFrozen).count();
        long unfrozen = events.stream().filter(e -> e.event() instanceof AccountUnfrozen).count();
        assertThat(frozen).as("freezes of %s in the log, at most the acknowledged ones", account)
                .isLessThanOrEqualTo(journal.about(Kind.FREEZE, account).stream().filter(Call::acknowledged).count());
        assertThat(unfrozen).as("unfreezes of %s in the log, at most the acknowledged ones", account)
                .isLessThanOrEqualTo(journal.about(Kind.UNFREEZE, account).stream().filter(Call::acknowledged).count());
    }

    private static void assertNeverBelowFloor(String account, List<StoredEvent> events, List<AccountState> states) {
        for (int i = 0; i < states.size(); i++) {
            AccountState state = states.get(i);
            if (!state.overdraftLimit().unlimited()) {
                assertThat(state.available().orElseThrow())
                        .as("%s after v%d (%s): available (balance %d - pending debits %d + overdraft %d) below zero",
                                account, events.get(i).version(), events.get(i).type(), state.balance(),
                                state.debitsPending(), state.overdraftLimit().minorUnits())
                        .isNotNegative();
            }
        }
    }

    /** The account as a whole (its shards added up, moves taken out) is not below its floor either. */
    private static void assertWholeNotBelowFloor(String account, AccountState whole) {
        if (!whole.overdraftLimit().unlimited()) {
            assertThat(whole.available().orElseThrow())
                    .as("%s as a whole (%s): available (balance %d - pending debits %d + overdraft %d) below zero",
                            account, whole, whole.balance(), whole.debitsPending(), whole.overdraftLimit().minorUnits())
                    .isNotNegative();
        }
    }

    /** @param finalStates by account, or by account stream (moves between shards then cancel out) */
    private static void assertConserved(Map<String, AccountState> finalStates) {
        Map<String, Long> sums = new TreeMap<>();
        finalStates.values().forEach(state -> sums.merge(state.currency().code(), state.balance(), Math::addExact));
        assertThat(sums).as("balances per currency (funding accounts included) sum to zero: %s", finalStates)
                .allSatisfy((currency, sum) -> assertThat(sum).as(currency).isZero());
    }

    /**
     * Acknowledged: the transfer's stream starts with its one TransferRecorded, for the request sent,
     * and each of its two accounts has exactly one leg opening it. Never acknowledged: no account
     * has a leg of it (its stream holds at most the recorded refusal).
     */
    private void assertCreatedExactlyOnceIfAcknowledged(String id, List<StoredEvent> events, List<LegOn> legs) {
        List<Call> calls = journal.about(Kind.TRANSFER, id);
        List<LegOn> opening = legs.stream()
                .filter(leg -> leg.event() instanceof EntryPosted || leg.event() instanceof HoldPlaced).toList();
        if (calls.stream().noneMatch(Call::acknowledged)) {
            assertThat(opening).as("legs of transfer %s, refused every time: %s", id, calls).isEmpty();
            assertThat(events).as("stream of transfer %s, refused every time: %s", id, calls)
                    .allMatch(e -> e.event() instanceof TransferRejected);
            return;
        }
        assertThat(calls.stream().filter(call -> call.status() == 201)).as("transfer %s created (201) once: %s", id, calls)
                .hasSize(1);
        assertThat(events).as("stream of acknowledged transfer %s", id).isNotEmpty();
        assertThat(events.get(0).event()).as("first event of transfer %s", id).isInstanceOf(TransferRecorded.class);
        assertThat(events.stream().filter(e -> e.event() instanceof TransferRecorded || e.event() instanceof TransferRejected))
                .as("transfer %s recorded once", id).hasSize(1);
        TransferRecorded recorded = (TransferRecorded) events.get(0).event();
        Call first = calls.get(0);
        assertThat(recorded.request().debitAccountId()).isEqualTo(first.command().body().path("debitAccountId").asText());
        assertThat(recorded.request().creditAccountId()).isEqualTo(first.command().body().path("creditAccountId").asText());
        assertThat(recorded.request().amount().toDecimalString()).as("amount of %s", id)
                .isEqualTo(first.command().body().path("amount").asText());
        assertThat(opening).as("the legs opening transfer %s", id)
                .extracting(leg -> leg.account() + ":" + leg.event().side())
                .containsExactlyInAnyOrder(recorded.request().debitAccountId() + ":" + Side.DEBIT,
                        recorded.request().creditAccountId() + ":" + Side.CREDIT);
        assertThat(opening).as("the shards transfer %s's opening legs are on: those it recorded", id)
                .extracting(leg -> leg.event().side() + ":" + leg.shard())
                .containsExactlyInAnyOrder(Side.DEBIT + ":" + recorded.debitShard(),
                        Side.CREDIT + ":" + recorded.creditShard());
    }

    /**
     * Posts and voids are repeatable: the command that completed a hold, sent again (a post with the
     * same amount, or with none where the first had none; a void after a void), answers 200 with the
     * original body. So if any post or void of a hold was acknowledged, the transfer's stream records
     * exactly one outcome; every acknowledged post or void is the command that completed it (same
     * kind, same amount asked or none) and answered the same body; and each account has one leg
     * settling it (a reversal's legs are not settling legs). If none was acknowledged: no outcome and
     * no settling leg (holds here outlive the run, so none expires).
     */
    private void assertSettledExactlyOnceIfAcknowledged(String id, List<StoredEvent> events, List<LegOn> legs) {
        List<Call> settles = new ArrayList<>(journal.about(Kind.POST_HOLD, id));
        settles.addAll(journal.about(Kind.VOID_HOLD, id));
        List<Call> acknowledged = settles.stream().filter(Call::acknowledged).toList();
        List<TransferEvent> outcomes = events.stream().map(e -> (TransferEvent) e.event())
                .filter(e -> e instanceof PendingTransferPosted || e instanceof PendingTransferVoided
                        || e instanceof PendingTransferExpired).toList();
        List<LegOn> settling = legs.stream().filter(leg -> leg.event() instanceof HoldPosted
                || leg.event() instanceof HoldVoided || leg.event() instanceof HoldExpired).toList();
        if (acknowledged.isEmpty()) {
            assertThat(outcomes).as("outcome of hold %s, never settled: %s", id, settles).isEmpty();
            assertThat(settling).as("settling legs of hold %s, never settled: %s", id, settles).isEmpty();
            return;
        }
        assertThat(outcomes).as("outcome of hold %s after %s", id, acknowledged).hasSize(1);
        TransferEvent outcome = outcomes.get(0);
        TransferState state = ProjectionsAgainstLog.transferFold(events);
        Kind completedBy = outcome instanceof PendingTransferVoided ? Kind.VOID_HOLD : Kind.POST_HOLD;
        for (Call settled : acknowledged) {
            assertThat(settled.command().kind()).as("hold %s completed by %s; acknowledged: %s", id, outcome, settled)
                    .isEqualTo(completedBy);
            assertThat(settled.response()).as("every acknowledged post or void of %s answers the completing one's body",
                    id).isEqualTo(acknowledged.get(0).response());
        }
        if (outcome instanceof PendingTransferPosted posted) {
            for (Call settled : acknowledged) {
                Money asked = settled.command().body() == null ? null
                        : Money.parse(settled.command().body().path("amount").asText(), state.request().amount().currency());
                assertThat(posted.requested()).as("what the post of %s recorded it asked for", id)
                        .isEqualTo(PostRequest.of(asked));
                assertThat(posted.postedAmount()).as("posted amount of %s after %s", id, settled)
                        .isEqualTo(asked == null ? state.request().amount() : asked);
            }
        }
        String legType = completedBy == Kind.VOID_HOLD ? "HoldVoided" : "HoldPosted";
        assertThat(settling).as("the legs settling hold %s", id)
                .extracting(leg -> leg.account() + ":" + leg.event().side() + ":" + leg.event().getClass().getSimpleName())
                .containsExactlyInAnyOrder(
                        state.request().debitAccountId() + ":" + Side.DEBIT + ":" + legType,
                        state.request().creditAccountId() + ":" + Side.CREDIT + ":" + legType);
    }


    /**
     * The transfer's reversals ({@code TransferReversed} in its stream) give back at most what it
     * posted, and each comes with its two legs: the transfer's credit account debited, its debit
     * account credited, by the reversal's amount; no other reversal leg names the transfer.
     */
    private static void assertReversedAtMostWhatWasPosted(String id, List<StoredEvent> events, List<LegOn> legs) {
        TransferState state = ProjectionsAgainstLog.transferFold(events);
        List<TransferReversed> reversals = events.stream().map(StoredEvent::event)
                .filter(TransferReversed.class::isInstance).map(TransferReversed.class::cast).toList();
        long reversed = reversals.stream().mapToLong(r -> r.amount().minorUnits()).sum();
        assertThat(reversed).as("what the reversals of %s gave back (%s), at most what it posted (%s)", id, reversals,
                state.postedAmount()).isLessThanOrEqualTo(state.postedAmount().minorUnits());
        List<String> expectedLegs = new ArrayList<>();
        for (TransferReversed reversal : reversals) {
            String amount = reversal.amount().toDecimalString();
            expectedLegs.add(reversal.reversalId() + ":" + state.request().creditAccountId() + ":" + Side.DEBIT + ":"
                    + amount + ":" + state.request().debitAccountId());
            expectedLegs.add(reversal.reversalId() + ":" + state.request().debitAccountId() + ":" + Side.CREDIT + ":"
                    + amount + ":" + state.request().creditAccountId());
        }
        assertThat(legs.stream().filter(leg -> leg.event() instanceof EntryReversed).map(leg -> (EntryReversed) leg.event()))
                .as("the reversal legs naming transfer %s: two per reversal in its stream", id)
                .extracting(leg -> leg.reversalId() + ":" + AccountShards.accountOf(leg.accountId()) + ":" + leg.side() + ":"
                        + leg.amount().toDecimalString() + ":" + leg.counterpartyAccountId())
                .containsExactlyInAnyOrderElementsOf(expectedLegs);
    }

    /**
     * An acknowledged reversal was created (201) once, and every acknowledged answer is that one's
     * body; its stream holds its one ReversalRecorded, for the request sent, with the opposite legs
     * of the transfer it names; the accounts hold those two legs and the transfer's stream one
     * TransferReversed for it. A reversal never acknowledged touched no account and no transfer; its
     * stream holds at most its recorded refusal.
     *
     * @return whether it was acknowledged
     */
    private boolean assertReversalRecordedExactlyOnceIfAcknowledged(String id, List<StoredEvent> events,
                                                                    List<LegOn> legs, List<TransferReversed> marks,
                                                                    Map<String, List<StoredEvent>> transferLogs) {
        List<Call> calls = journal.about(Kind.REVERSE, id);
        List<Call> acknowledged = calls.stream().filter(Call::acknowledged).toList();
        if (acknowledged.isEmpty()) {
            assertThat(legs).as("account legs of reversal %s, refused every time: %s", id, calls).isEmpty();
            assertThat(marks).as("transfer events of reversal %s, refused every time: %s", id, calls).isEmpty();
            assertThat(events).as("stream of reversal %s, refused every time: %s", id, calls).hasSizeLessThanOrEqualTo(1)
                    .allMatch(e -> e.event() instanceof ReversalRejected);
            return false;
        }
        assertThat(calls.stream().filter(call -> call.status() == 201)).as("reversal %s created (201) once: %s", id, calls)
                .hasSize(1);
        assertThat(acknowledged).as("every acknowledged answer of reversal %s is the original one", id)
                .extracting(Call::response).containsOnly(acknowledged.get(0).response());
        assertThat(events).as("stream of acknowledged reversal %s", id).hasSize(1);
        assertThat(events.get(0).event()).as("the event of reversal %s", id).isInstanceOf(ReversalRecorded.class);
        ReversalRecorded recorded = (ReversalRecorded) events.get(0).event();
        Call first = acknowledged.get(0);
        String original = first.command().original();
        List<StoredEvent> originalEvents = transferLogs.getOrDefault(original, List.of());
        assertThat(originalEvents).as("stream of transfer %s, which reversal %s reversed", original, id).isNotEmpty();
        TransferState transfer = ProjectionsAgainstLog.transferFold(originalEvents);
        JsonNode asked = first.command().body().path("amount");
        Money amount = asked.isMissingNode() ? null : Money.parse(asked.asText(), transfer.request().amount().currency());
        assertThat(recorded.request()).as("the request reversal %s recorded", id)
                .isEqualTo(new ReversalRequest(OriginalKind.TRANSFER, original, amount, false, new TreeMap<>()));
        if (amount != null) {
            assertThat(recorded.amount()).as("amount of reversal %s", id).isEqualTo(amount);
        }
        assertThat(recorded.amount().isPositive()).as("reversal %s gave back more than nothing", id).isTrue();
        String debit = transfer.request().debitAccountId();
        String credit = transfer.request().creditAccountId();
        assertThat(recorded.legs()).as("the legs reversal %s recorded: the transfer's opposite", id).containsExactly(
                new ReversalEvent.Leg(credit, Side.DEBIT, recorded.amount()),
                new ReversalEvent.Leg(debit, Side.CREDIT, recorded.amount()));
        assertThat(legs).as("the account legs of reversal %s", id)
                .extracting(leg -> leg.account() + ":" + leg.event().side() + ":" + ((EntryReversed) leg.event()).amount()
                        + ":" + leg.event().transferId() + ":" + ((EntryReversed) leg.event()).forced())
                .containsExactlyInAnyOrder(credit + ":" + Side.DEBIT + ":" + recorded.amount() + ":" + original + ":false",
                        debit + ":" + Side.CREDIT + ":" + recorded.amount() + ":" + original + ":false");
        assertThat(marks).as("the transfer events of reversal %s", id)
                .containsExactly(new TransferReversed(original, id, recorded.amount(), false));
        return true;
    }

    /**
     * Acknowledged: created (201) once, every acknowledged answer the original body; the stream
     * starts with its one TransactionRecorded, for the request sent; each distinct account of it has
     * exactly one leg opening it (posted, or held if pending) carrying every entry, and no other
     * account has one; per currency its accounts' nets sum to zero. Never acknowledged: no account has
     * a leg of it, and its stream holds only its recorded refusal (one of the answers' codes), or
     * nothing when it was refused unrecorded (an account that did not exist yet, or lost races).
     */
    private void assertTransactionRecordedExactlyOnceIfAcknowledged(String id, List<StoredEvent> events,
                                                                   List<TransactionLegOn> legs) {
        List<Call> calls = journal.about(Kind.TRANSACTION, id);
        List<TransactionLegOn> opening = legs.stream().filter(leg -> leg.event() instanceof TransactionEntriesPosted
                || leg.event() instanceof TransactionHoldPlaced).toList();
        List<Call> acknowledged = calls.stream().filter(Call::acknowledged).toList();
        if (acknowledged.isEmpty()) {
            assertThat(opening).as("legs of transaction %s, refused every time: %s", id, calls).isEmpty();
            assertThat(events).as("stream of transaction %s, refused every time: %s", id, calls)
                    .hasSizeLessThanOrEqualTo(1).allMatch(e -> e.event() instanceof TransactionRejected);
            if (events.isEmpty()) {
                assertThat(calls).as("answers to transaction %s, never recorded", id)
                        .extracting(Call::error).isSubsetOf("account_not_found", "concurrent_modification");
            } else {
                TransactionRejected rejected = (TransactionRejected) events.get(0).event();
                assertThat(calls).as("answers to transaction %s, recorded as refused with %s", id, rejected.code())
                        .extracting(Call::error).contains(rejected.code().code());
                assertThat(rejected.request()).as("the refused request of transaction %s", id)
                        .isEqualTo(requestSent(calls.get(0)));
            }
            return;
        }
        assertThat(calls.stream().filter(call -> call.status() == 201))
                .as("transaction %s created (201) once: %s", id, calls).hasSize(1);
        assertThat(acknowledged).as("every acknowledged answer of transaction %s is the original one", id)
                .extracting(Call::response).containsOnly(acknowledged.get(0).response());
        assertThat(events).as("stream of acknowledged transaction %s", id).isNotEmpty();
        assertThat(events.get(0).event()).as("first event of transaction %s", id)
                .isInstanceOf(TransactionRecorded.class);
        assertThat(events.stream().filter(e -> e.event() instanceof TransactionRecorded
                || e.event() instanceof TransactionRejected)).as("transaction %s recorded once", id).hasSize(1);
        TransactionRequest request = ((TransactionRecorded) events.get(0).event()).request();
        assertThat(request).as("the request transaction %s recorded", id).isEqualTo(requestSent(acknowledged.get(0)));
        String legType = request.pending() ? "TransactionHoldPlaced" : "TransactionEntriesPosted";
        assertThat(opening).as("the legs opening transaction %s: one per distinct account", id)
                .extracting(leg -> leg.account() + ":" + leg.event().getClass().getSimpleName())
                .containsExactlyInAnyOrderElementsOf(request.accountIds().stream().map(a -> a + ":" + legType).toList());
        Map<String, Long> byCurrency = new TreeMap<>();
        for (TransactionLegOn leg : opening) {
            assertThat(leg.event().entries()).as("the entries %s's leg of transaction %s carries", leg.account(), id)
                    .isEqualTo(request.entries());
            byCurrency.merge(spec(leg.account()).currency(), netsOf(leg.event().entries()).get(leg.account()),
                    Math::addExact);
        }
        assertThat(byCurrency).as("what transaction %s moved on its accounts, per currency", id)
                .allSatisfy((currency, net) -> assertThat(net).as(currency).isZero());
    }

    /**
     * The post or void that completed a pending transaction is acknowledged, and so is the same
     * command sent again (README: repeatable post and void), with the same answer; any other post or
     * void after it is refused. If one was acknowledged, the stream records exactly that outcome and
     * each distinct account has one leg settling it the same way; if none was, no outcome and no
     * settling leg (pending transactions here outlive the run).
     */
    private void assertTransactionSettledExactlyOnceIfAcknowledged(String id, List<StoredEvent> events,
                                                                  List<TransactionLegOn> legs) {
        List<Call> settles = new ArrayList<>(journal.about(Kind.POST_TRANSACTION, id));
        settles.addAll(journal.about(Kind.VOID_TRANSACTION, id));
        List<Call> acknowledged = settles.stream().filter(Call::acknowledged).toList();
        List<TransactionEvent> outcomes = events.stream().map(e -> (TransactionEvent) e.event())
                .filter(e -> e instanceof PendingTransactionPosted || e instanceof PendingTransactionVoided
                        || e instanceof PendingTransactionExpired).toList();
        List<TransactionLegOn> settling = legs.stream().filter(leg -> leg.event() instanceof TransactionHoldPosted
                || leg.event() instanceof TransactionHoldVoided || leg.event() instanceof TransactionHoldExpired).toList();
        if (!acknowledged.isEmpty()) {
            Call completing = acknowledged.get(0);
            assertThat(acknowledged).as("acknowledged posts and voids of transaction %s: one command and its repeats, "
                    + "answered alike: %s", id, settles).allSatisfy(call -> {
                        assertThat(call.command().kind()).isEqualTo(completing.command().kind());
                        assertThat(call.response()).isEqualTo(completing.response());
                    });
        }
        if (acknowledged.isEmpty()) {
            assertThat(outcomes).as("outcome of transaction %s, never settled: %s", id, settles).isEmpty();
            assertThat(settling).as("settling legs of transaction %s, never settled: %s", id, settles).isEmpty();
            return;
        }
        Call settled = acknowledged.get(0);
        boolean voided = settled.command().kind() == Kind.VOID_TRANSACTION;
        assertThat(outcomes).as("outcome of transaction %s after %s", id, settled).hasSize(1);
        assertThat(outcomes.get(0)).as("outcome of transaction %s after %s", id, settled)
                .isInstanceOf(voided ? PendingTransactionVoided.class : PendingTransactionPosted.class);
        String legType = voided ? "TransactionHoldVoided" : "TransactionHoldPosted";
        TransactionState state = transactionFold(events);
        assertThat(settling).as("the legs settling transaction %s: one per distinct account", id)
                .extracting(leg -> leg.account() + ":" + leg.event().getClass().getSimpleName())
                .containsExactlyInAnyOrderElementsOf(state.request().accountIds().stream().map(a -> a + ":" + legType)
                        .toList());
    }

    /** The transaction request a call sent, as the ledger reads its body. */
    private TransactionRequest requestSent(Call call) {
        JsonNode body = call.command().body();
        List<TransactionEntry> entries = new ArrayList<>();
        for (JsonNode entry : body.path("entries")) {
            CurrencyUnit currency = CurrencyUnit.of(entry.path("currency").asText());
            entries.add(new TransactionEntry(entries.size(), entry.path("accountId").asText(),
                    entry.path("direction").asText().equals("debit") ? Side.DEBIT : Side.CREDIT,
                    Money.parse(entry.path("amount").asText(), currency)));
        }
        TreeMap<String, String> metadata = new TreeMap<>();
        body.path("metadata").fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        boolean pending = body.path("pending").asBoolean(false);
        return new TransactionRequest(entries, pending, pending ? body.path("timeoutSeconds").asLong() : 0, metadata);
    }

    private AccountSpec spec(String account) {
        return accounts.stream().filter(a -> a.id().equals(account)).findFirst().orElseThrow();
    }

    private static TransactionState transactionFold(List<StoredEvent> events) {
        TransactionState state = null;
        for (StoredEvent event : events) {
            state = TransactionState.evolve(Optional.ofNullable(state), (TransactionEvent) event.event());
        }
        return state;
    }

    /**
     * Each account's pending debits and credits are what the open holds and the open pending
     * transactions hold on it: a hold its amount on both sides, a transaction the account's net
     * (credits minus debits of its own entries) on the side of that net.
     */
    private static void assertPendingTotalsAreTheOpenHolds(Map<String, AccountState> finalStates,
                                                           Map<String, TransferState> transfers,
                                                           Map<String, TransactionState> transactions) {
        Map<String, long[]> held = new TreeMap<>();
        for (TransferState transfer : transfers.values()) {
            if (transfer.status() == TransferStatus.PENDING) {
                long amount = transfer.request().amount().minorUnits();
                held.computeIfAbsent(transfer.request().debitAccountId(), k -> new long[2])[0] += amount;
                held.computeIfAbsent(transfer.request().creditAccountId(), k -> new long[2])[1] += amount;
            }
        }
        for (TransactionState transaction : transactions.values()) {
            if (transaction.status() == TransactionStatus.PENDING) {
                netsOf(transaction.request().entries()).forEach((account, net) -> {
                    long[] sides = held.computeIfAbsent(account, k -> new long[2]);
                    if (net < 0) {
                        sides[0] -= net;
                    } else {
                        sides[1] += net;
                    }
                });
            }
        }
        finalStates.forEach((account, state) -> assertThat(new long[] {state.debitsPending(), state.creditsPending()})
                .as("pending debits and credits of %s equal its open holds and pending transactions", account)
                .containsExactly(held.getOrDefault(account, new long[2])));
    }

    /** Each account's credits minus debits over these entries, in minor units, in the order of first entry. */
    private static Map<String, Long> netsOf(List<TransactionEntry> entries) {
        Map<String, Long> nets = new LinkedHashMap<>();
        for (TransactionEntry entry : entries) {
            long units = entry.amount().minorUnits();
            nets.merge(entry.accountId(), entry.direction() == Side.CREDIT ? units : -units, Math::addExact);
        }
        return nets;
    }

    /**
     * One transfer leg, on the account whose stream holds it ({@code account} the logical account, for a
     * sharded one whichever shard {@code shard} holds the leg). ShardFundsMoved is no TransferLeg: moves
     * between shards belong to no transfer.
     */
    private record LegOn(String account, int shard, TransferLeg event) {
    }

    private static Map<String, List<LegOn>> legsByTransfer(Map<String, List<StoredEvent>> accountLogs) {
        Map<String, List<LegOn>> legs = new TreeMap<>();
        accountLogs.forEach((account, events) -> {
            for (StoredEvent event : events) {
                if (event.event() instanceof TransferLeg leg) {
                    legs.computeIfAbsent(leg.transferId(), k -> new ArrayList<>())
                            .add(new LegOn(AccountShards.accountOf(account), AccountShards.shardOf(account), leg));
                }
            }
        });
        return legs;
    }

    /** One multi-leg transaction's event, on the account whose stream holds it (and its shard there). */
    private record TransactionLegOn(String account, int shard, TransactionLeg event) {
    }

    private static Map<String, List<TransactionLegOn>> legsByTransaction(Map<String, List<StoredEvent>> accountLogs) {
        Map<String, List<TransactionLegOn>> legs = new TreeMap<>();
        accountLogs.forEach((account, events) -> {
            for (StoredEvent event : events) {
                if (event.event() instanceof TransactionLeg leg) {
                    legs.computeIfAbsent(leg.transactionId(), k -> new ArrayList<>())
                            .add(new TransactionLegOn(AccountShards.accountOf(account), AccountShards.shardOf(account), leg));
                }
            }
        });
        return legs;
    }
}
