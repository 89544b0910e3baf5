package dev.ledger.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.infra.local.CommandJournal.Call;
import dev.ledger.infra.local.CommandJournal.Kind;
import dev.ledger.infra.local.SimulatedClient.AccountSpec;
import dev.ledger.store.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What must hold of the log, whatever the interleaving of the clients: money is conserved per
 * currency (every account's balance, funding accounts' negative ones included, sums to zero), no
 * account ever went below its overdraft floor, pending totals equal the open holds, every
 * acknowledged command is in the log exactly once, and no refused command touched an account.
 * Checked on the log as read while the clients are paused.
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

    /** @param accountLogs the events of every account of {@link #accountIds()}; transferLogs of {@link #transferIds()} */
    void assertHold(Map<String, List<StoredEvent>> accountLogs, Map<String, List<StoredEvent>> transferLogs) {
        List<Call> calls = journal.calls();
        for (Call call : calls) {
            assertThat(call.status()).as("an answer the API documents: %s", call).isIn(DOCUMENTED_STATUSES);
            if (call.command().mustBeRefused()) {
                assertThat(call.acknowledged()).as("a debit beyond any balance is refused: %s", call).isFalse();
            }
        }
        Map<String, List<LegOn>> legs = legsByTransfer(accountLogs);
        assertThat(legs.keySet()).as("every account leg belongs to a transfer a client sent")
                .isSubsetOf(transferLogs.keySet());

        Map<String, AccountState> finalStates = new TreeMap<>();
        for (AccountSpec spec : accounts) {
            List<StoredEvent> events = accountLogs.getOrDefault(spec.id(), List.of());
            assertOpenedOnce(spec, events);
            assertFreezesAcknowledged(spec.id(), events);
            if (!events.isEmpty()) {
                List<AccountState> states = ProjectionsAgainstLog.folds(events);
                assertNeverBelowFloor(spec.id(), events, states);
                finalStates.put(spec.id(), states.get(states.size() - 1));
            }
        }
        assertConserved(finalStates);
        Map<String, TransferState> transfers = new TreeMap<>();
        for (Map.Entry<String, List<StoredEvent>> transfer : transferLogs.entrySet()) {
            String id = transfer.getKey();
            List<LegOn> itsLegs = legs.getOrDefault(id, List.of());
            assertCreatedExactlyOnceIfAcknowledged(id, transfer.getValue(), itsLegs);
            assertSettledExactlyOnceIfAcknowledged(id, transfer.getValue(), itsLegs);
            if (!transfer.getValue().isEmpty()) {
                transfers.put(id, ProjectionsAgainstLog.transferFold(transfer.getValue()));
            }
        }
        assertPendingTotalsAreTheOpenHolds(finalStates, transfers);
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


    private static void assertPendingTotalsAreTheOpenHolds(Map<String, AccountState> finalStates,
                                                           Map<String, TransferState> transfers) {
        Map<String, long[]> held = new TreeMap<>();
        for (TransferState transfer : transfers.values()) {
            if (transfer.status() == TransferStatus.PENDING) {
                long amount = transfer.request().amount().minorUnits();
                held.computeIfAbsent(transfer.request().debitAccountId(), k -> new long[2])[0] += amount;
                held.computeIfAbsent(transfer.request().creditAccountId(), k -> new long[2])[1] += amount;
            }
        }
        finalStates.forEach((account, state) -> assertThat(new long[] {state.debitsPending(), state.creditsPending()})
                .as("pending debits and credits of %s equal its open holds", account)
                .containsExactly(held.getOrDefault(account, new long[2])));
    }

    /** One transfer leg, on the account whose stream holds it. */
    private record LegOn(String account, TransferLeg event) {
    }

    private static Map<String, List<LegOn>> legsByTransfer(Map<String, List<StoredEvent>> accountLogs) {
        Map<String, List<LegOn>> legs = new TreeMap<>();
        accountLogs.forEach((account, events) -> {
            for (StoredEvent event : events) {
                if (event.event() instanceof TransferLeg leg) {
                    legs.computeIfAbsent(leg.transferId(), k -> new ArrayList<>()).add(new LegOn(account, leg));
                }
            }
        });
        return legs;
    }
}
