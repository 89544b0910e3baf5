package dev.ledger.replay;

import static dev.ledger.replay.ProjectionReader.BLOCKED;
import static dev.ledger.replay.ProjectionReader.CREATED_AT;
import static dev.ledger.replay.ProjectionReader.STATE;
import static dev.ledger.replay.ProjectionReader.STATUS_HISTORY;
import static dev.ledger.replay.ProjectionReader.UPDATED_AT;
import static dev.ledger.replay.ProjectionReader.VERSION;
import static dev.ledger.replay.ProjectionReader.n;
import static dev.ledger.replay.ProjectionReader.s;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.projections.HistoryProjection;
import dev.ledger.store.CanonicalJson;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Recomputes the ledger from its log and checks it: every stream's hash chain and head, the folds
 * of every account and transfer, per-currency conservation, overdraft floors, pending totals against
 * open holds, and the live projections against the folds.
 *
 * <p>Memory: one page of events per worker, plus a few numbers per account (pending totals, for the
 * holds check) and per currency; never the log.
 */
final class LogVerifier {

    /** Where the projections live; null tables mean "compare with nothing" ({@code --log-only}). */
    record ProjectionNames(String balances, String history, String transfers) {
    }

    /** What one run found and checked. */
    record Result(long accounts, long transfers, long events, Map<String, String> currencyTotals,
                  List<String> notChecked, Findings findings) {
        boolean ok() {
            return findings.count() == 0;
        }
    }

    private final EventLog log;
    private final ProjectionReader projections;
    private final ProjectionNames tables;
    private final Progress progress;
    private final Findings findings = new Findings();
    private final AtomicLong accounts = new AtomicLong();
    private final AtomicLong transfers = new AtomicLong();
    private final Map<String, BigInteger> balancesByCurrency = new ConcurrentHashMap<>();
    private final Map<String, String> currencyOf = new ConcurrentHashMap<>();
    // Pending totals {debits, credits} per account: as the accounts' folds say, and as open holds say.
    private final Map<String, long[]> pendingByAccount = new ConcurrentHashMap<>();
    private final Map<String, long[]> pendingByHolds = new ConcurrentHashMap<>();
    private final Map<String, Long> lastVersion = new ConcurrentHashMap<>();
    private final Set<String> brokenStreams = ConcurrentHashMap.newKeySet();

    LogVerifier(EventLog log, ProjectionReader projections, ProjectionNames tables, Progress progress) {
        this.log = log;
        this.projections = projections;
        this.tables = tables;
        this.progress = progress;
    }

    /** Every stream of the log, found by its head. */
    Result verifyAll(int segments, int threads) {
        ExecutorService workers = EventLog.boundedPool(threads, "verify");
        List<Future<?>> done = new ArrayList<>();
        try {
            log.forEachHead(segments, head -> {
                progress.expect(head.version());
                Future<?> future = workers.submit(() -> survive(head.stream(), () -> check(head)));
                synchronized (done) {
                    done.add(future);
                }
            });
            progress.allExpected();
            EventLog.await(done);
        } finally {
            workers.shutdownNow();
        }
        List<String> notChecked = new ArrayList<>();
        if (!brokenStreams.isEmpty()) {
            notChecked.add("conservation and pending holds: " + brokenStreams.size()
                    + " streams cannot be folded (see findings)");
        } else {
            checkConservation();
            checkPendingAgainstHolds();
        }
        return result(notChecked);
    }

    /**
     * Only these accounts, each read by its own partition, and the transfers of their open holds.
     * Conservation needs every account and is not checked.
     */
    Result verifyAccounts(List<String> accountIds, int threads) {
        ExecutorService workers = EventLog.boundedPool(threads, "verify");
        List<Future<?>> done = new ArrayList<>();
        Set<String> transfersChecked = ConcurrentHashMap.newKeySet();
        try {
            for (String accountId : accountIds) {
                done.add(workers.submit(() -> survive(StreamId.account(accountId),
                        () -> checkAccountAlone(accountId, transfersChecked))));
            }
            EventLog.await(done);
        } finally {
            workers.shutdownNow();
        }
        return result(List.of("conservation: needs every account (run verify without --accounts)"));
    }

    private Result result(List<String> notChecked) {
        Map<String, String> totals = new TreeMap<>();
        balancesByCurrency.forEach((currency, sum) -> totals.put(currency, sum.toString()));
        return new Result(accounts.get(), transfers.get(), progress.done(), totals, notChecked, findings);
    }

    private void check(EventLog.HeadRef head) {
        if (head.stream().type() == StreamId.StreamType.ACCOUNT) {
            AccountFold fold = foldAccount(head.stream(), Optional.of(head));
            if (fold != null) {
                String currency = fold.state.currency().code();
                balancesByCurrency.merge(currency, BigInteger.valueOf(fold.state.balance()), BigInteger::add);
                currencyOf.put(fold.state.accountId(), currency);
                pendingByAccount.put(fold.state.accountId(),
                        new long[] {fold.state.debitsPending(), fold.state.creditsPending()});
                lastVersion.put(fold.state.accountId(), fold.version);
            }
        } else {
            TransferState state = foldTransfer(head.stream(), Optional.of(head));
            if (state != null && state.status() == TransferStatus.PENDING) {
                long amount = state.request().amount().minorUnits();
                pendingByHolds.merge(state.request().debitAccountId(), new long[] {amount, 0}, LogVerifier::plus);
                pendingByHolds.merge(state.request().creditAccountId(), new long[] {0, amount}, LogVerifier::plus);
            }
        }
    }

    /**
     * Runs one stream's checks so that whatever its data does (an overflow, a value no fold expected)
     * becomes a finding for that stream, and verify goes on with the others: exit 1, not 2. Only the
     * tool's own failures (AWS, interruption) still stop the run.
     */
    private void survive(StreamId stream, Runnable check) {
        try {
            check.run();
        } catch (SdkException | CancellationException tool) {
            throw tool;
        } catch (RuntimeException data) {
            findings.add(stream.toString(), null, "verify", "could not be checked: "
                    + (data.getMessage() == null ? data.getClass().getSimpleName() : data.getMessage()));
            brokenStreams.add(stream.toString());
        }
    }

    private void checkConservation() {
        balancesByCurrency.forEach((currency, sum) -> {
            if (sum.signum() != 0) {
                findings.add("currency:" + currency, null, "conservation",
                        "account balances sum to " + sum + " minor units, not 0");
            }
        });
    }

    private void checkPendingAgainstHolds() {
        Set<String> all = new HashSet<>(pendingByAccount.keySet());
        all.addAll(pendingByHolds.keySet());
        for (String accountId : all) {
            long[] folded = pendingByAccount.get(accountId);
            long[] held = pendingByHolds.getOrDefault(accountId, new long[2]);
            String stream = StreamId.account(accountId).toString();
            if (folded == null) {
                findings.add(stream, null, "holds", "open holds of " + held[0] + "/" + held[1]
                        + " minor units name an account the log does not have");
                continue;
            }
            Long version = lastVersion.get(accountId);
            if (folded[0] != held[0]) {
                findings.add(stream, version, "debitsPending", "account " + folded[0]
                        + " minor units, pending transfers debiting it " + held[0]);
            }
            if (folded[1] != held[1]) {
                findings.add(stream, version, "creditsPending", "account " + folded[1]
                        + " minor units, pending transfers crediting it " + held[1]);
            }
        }
    }

    private void checkAccountAlone(String accountId, Set<String> transfersChecked) {
        StreamId stream = StreamId.account(accountId);
        Optional<EventLog.HeadRef> head = log.store().readHead(stream)
                .map(h -> new EventLog.HeadRef(stream, h.version(), h.hash()));
        if (head.isEmpty()) {
            findings.add(stream.toString(), null, "head", "the log has no such account");
            return;
        }
        AccountFold fold = foldAccount(stream, head);
        if (fold == null) {
            return;
        }
        long[] held = new long[2];
        for (Map.Entry<String, TransferLeg> hold : fold.openHolds.entrySet()) {
            String transferId = hold.getKey();
            TransferState transfer = transfersChecked.add(transferId)
                    ? foldTransfer(StreamId.transfer(transferId), log.store().readHead(StreamId.transfer(transferId))
                    .map(h -> new EventLog.HeadRef(StreamId.transfer(transferId), h.version(), h.hash())))
                    : foldTransfer(StreamId.transfer(transferId), null);
            if (transfer == null) {
                continue;
            }
            long amount = ((HoldPlaced) hold.getValue()).amount().minorUnits();
            if (transfer.status() != TransferStatus.PENDING) {
                findings.add(stream.toString(), fold.version, "holds." + transferId,
                        "the account still holds it, but the transfer is " + transfer.status());
            } else if (transfer.request().amount().minorUnits() != amount) {
                findings.add(stream.toString(), fold.version, "holds." + transferId, "the account holds " + amount
                        + " minor units, the transfer " + transfer.request().amount().minorUnits());
            } else {
                int side = hold.getValue().side() == Side.DEBIT ? 0 : 1;
                held[side] = Math.addExact(held[side], amount);
            }
        }
        if (fold.state.debitsPending() != held[0]) {
            findings.add(stream.toString(), fold.version, "debitsPending", "account " + fold.state.debitsPending()
                    + " minor units, its pending transfers " + held[0]);
        }
        if (fold.state.creditsPending() != held[1]) {
            findings.add(stream.toString(), fold.version, "creditsPending", "account " + fold.state.creditsPending()
                    + " minor units, its pending transfers " + held[1]);
        }
    }

    /** An account's fold: its state, version, and open holds (transfer id to the leg that placed it). */
    private record AccountFold(AccountState state, long version, Map<String, TransferLeg> openHolds) {
    }

    /** Folds an account, checking chain, head, floor and its projections; null if it cannot be folded. */
    private AccountFold foldAccount(StreamId stream, Optional<EventLog.HeadRef> head) {
        accounts.incrementAndGet();
        String name = stream.toString();
        HashChainFindings chain = new HashChainFindings(name);
        Iterator<Map<String, AttributeValue>> entries = tables.history() == null ? null
                : projections.partition(tables.history(), stream.id(), 1);
        Map<String, AttributeValue> pendingEntry = null;
        AccountState state = null;
        Map<String, TransferLeg> openHolds = new LinkedHashMap<>();
        StoredEvent last = null;
        long openedVersion = 0;
        for (Iterator<StoredEvent> events = log.events(stream); events.hasNext(); ) {
            StoredEvent event = events.next();
            progress.add(1);
            if (!chain.accept(event)) {
                return broken(name);
            }
            AccountEvent accountEvent;
            try {
                accountEvent = (AccountEvent) event.event();
                state = AccountState.evolve(Optional.ofNullable(state), accountEvent);
            } catch (RuntimeException unfoldable) {
                findings.add(name, event.version(), "event", "cannot be folded: " + unfoldable.getMessage());
                return broken(name);
            }
            trackHolds(openHolds, accountEvent);
            if (accountEvent instanceof AccountOpened) {
                openedVersion = event.version();
            }
            last = event;
            if (entries != null) {
                // Entries and events both come in version order: compare them in lockstep.
                Map<String, AttributeValue> entry = pendingEntry != null ? pendingEntry
                        : entries.hasNext() ? entries.next() : null;
                pendingEntry = null;
                while (entry != null && n(entry, "sk") < event.version()) {
                    findings.add(name, n(entry, "sk"), "history", "an entry the log does not have");
                    entry = entries.hasNext() ? entries.next() : null;
                }
                if (entry == null || n(entry, "sk") > event.version()) {
                    findings.add(name, event.version(), "history", "no entry for this version");
                    pendingEntry = entry;
                } else {
                    compareEntry(name, event, accountEvent, state, entry);
                }
            }
        }
        if (!chain.finish(head)) {
            return broken(name);
        }
        if (state == null) {
            findings.add(name, null, "events", "the stream has a head but no events");
            return broken(name);
        }
        long version = last.version();
        if (entries != null) {
            Map<String, AttributeValue> entry = pendingEntry != null ? pendingEntry : entries.hasNext() ? entries.next() : null;
            while (entry != null) {
                findings.add(name, n(entry, "sk"), "history", "an entry beyond the log's last version " + version);
                entry = entries.hasNext() ? entries.next() : null;
            }
            Map<String, AttributeValue> cursor = projections.item(tables.history(), stream.id(), 0L);
            compareStateItem(name, version, "history.cursor", cursor, StateCodec.encode(state));
        }
        if (tables.balances() != null) {
            Map<String, AttributeValue> item = projections.item(tables.balances(), stream.id(), null);
            if (compareStateItem(name, version, "balances", item, StateCodec.encode(state))) {
                findings.compare(name, version, "balances." + UPDATED_AT, s(item, UPDATED_AT),
                        last.recordedAt().toString());
            }
        }
        checkOverdraft(name, openedVersion, version, state);
        return new AccountFold(state, version, openHolds);
    }

    /**
     * The overdraft floor, and the bounds of issue 10 for a log written before they existed: a limit
     * above the largest an account can be opened with, and an available balance past the largest
     * amount. Computed exactly: no account, however large its totals, stops the check.
     */
    private void checkOverdraft(String name, long openedVersion, long version, AccountState state) {
        Optional<BigInteger> available = state.available();
        if (available.isEmpty()) {
            return;
        }
        int digits = state.currency().minorDigits();
        if (!state.overdraftLimit().isWithinMaximum()) {
            findings.add(name, openedVersion, "overdraftLimit", Money.of(state.overdraftLimit().minorUnits(),
                    state.currency()) + " is above the largest overdraft limit an account can have, "
                    + OverdraftLimit.maximum(state.currency()));
        }
        if (available.get().signum() < 0) {
            findings.add(name, version, "available", "below the overdraft floor: "
                    + new BigDecimal(available.get(), digits).toPlainString());
        } else if (available.get().compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
            findings.add(name, version, "available", new BigDecimal(available.get(), digits).toPlainString()
                    + " is above the largest amount the ledger can hold, "
                    + Money.toDecimalString(Long.MAX_VALUE, digits));
        }
    }

    /**
     * Folds a transfer, checking chain, head (when given) and its projection (when the head is given:
     * null means "already checked, fold only"); null if it cannot be folded.
     */
    private TransferState foldTransfer(StreamId stream, Optional<EventLog.HeadRef> head) {
        boolean checkAll = head != null;
        if (checkAll) {
            transfers.incrementAndGet();
        }
        String name = stream.toString();
        HashChainFindings chain = new HashChainFindings(name);
        TransferState state = null;
        StoredEvent first = null;
        StoredEvent last = null;
        List<AttributeValue> statuses = new ArrayList<>();
        for (Iterator<StoredEvent> events = log.events(stream); events.hasNext(); ) {
            StoredEvent event = events.next();
            if (checkAll) {
                progress.add(1);
            }
            if (!chain.accept(event)) {
                return checkAll ? broken(name) : null;
            }
            try {
                state = TransferState.evolve(Optional.ofNullable(state), (TransferEvent) event.event());
            } catch (RuntimeException unfoldable) {
                if (checkAll) {
                    findings.add(name, event.version(), "event", "cannot be folded: " + unfoldable.getMessage());
                    return broken(name);
                }
                return null;
            }
            first = first == null ? event : first;
            last = event;
            statuses.add(AttributeValue.fromM(Map.of(
                    "status", AttributeValue.fromS(state.status().name()),
                    "version", AttributeValue.fromN(Long.toString(event.version())),
                    "recordedAt", AttributeValue.fromS(event.recordedAt().toString()))));
        }
        if (!checkAll) {
            return state;
        }
        if (!chain.finish(head)) {
            return broken(name);
        }
        if (state == null) {
            findings.add(name, null, "events", head.isPresent() ? "the stream has a head but no events"
                    : "the log has no such transfer");
            return broken(name);
        }
        if (tables.transfers() != null) {
            Map<String, AttributeValue> item = projections.item(tables.transfers(), stream.id(), null);
            if (compareStateItem(name, last.version(), "transfers", item, StateCodec.encode(state))) {
                findings.compare(name, last.version(), "transfers." + CREATED_AT, s(item, CREATED_AT),
                        first.recordedAt().toString());
                AttributeValue projected = item.get(STATUS_HISTORY);
                if (projected == null || !statuses.equals(projected.l())) {
                    findings.add(name, last.version(), "transfers." + STATUS_HISTORY, "projection "
                            + describe(projected) + ", log " + describe(AttributeValue.fromL(statuses)));
                }
            }
        }
        return state;
    }

    private <T> T broken(String stream) {
        brokenStreams.add(stream);
        return null;
    }

    /**
     * Compares a per-stream projection item (version, state, not blocked) with the fold.
     *
     * @return whether the item exists, so its other attributes can be compared too
     */
    private boolean compareStateItem(String stream, long version, String projection,
                                     Map<String, AttributeValue> item, String expectedState) {
        if (item.isEmpty()) {
            findings.add(stream, version, projection, "no item; the log is at version " + version);
            return false;
        }
        if (item.containsKey(BLOCKED)) {
            findings.add(stream, n(item, VERSION), projection + "." + BLOCKED, s(item, BLOCKED));
        }
        findings.compare(stream, version, projection + "." + VERSION, n(item, VERSION), version);
        String projected = s(item, STATE);
        if (projected == null) {
            findings.add(stream, version, projection + "." + STATE, "absent");
            return true;
        }
        JsonNode have = CanonicalJson.parse(projected);
        JsonNode want = CanonicalJson.parse(expectedState);
        Set<String> fields = new java.util.TreeSet<>();
        have.fieldNames().forEachRemaining(fields::add);
        want.fieldNames().forEachRemaining(fields::add);
        for (String field : fields) {
            findings.compare(stream, version, projection + "." + field, text(have.get(field)), text(want.get(field)));
        }
        return true;
    }

    private void compareEntry(String stream, StoredEvent event, AccountEvent accountEvent, AccountState after,
                              Map<String, AttributeValue> entry) {
        long v = event.version();
        findings.compare(stream, v, "history.type", s(entry, HistoryProjection.TYPE), event.type());
        findings.compare(stream, v, "history.recordedAt", s(entry, HistoryProjection.RECORDED_AT),
                event.recordedAt().toString());
        findings.compare(stream, v, "history.hash", s(entry, HistoryProjection.HASH), event.hash());
        findings.compare(stream, v, "history.balanceAfter", s(entry, HistoryProjection.BALANCE_AFTER),
                Money.toDecimalString(after.balance(), after.currency().minorDigits()));
        TransferLeg leg = accountEvent instanceof TransferLeg l ? l : null;
        findings.compare(stream, v, "history.transferId", s(entry, HistoryProjection.TRANSFER_ID),
                leg == null ? null : leg.transferId());
        findings.compare(stream, v, "history.counterpartyAccountId", s(entry, HistoryProjection.COUNTERPARTY),
                leg == null ? null : leg.counterpartyAccountId());
        findings.compare(stream, v, "history.amount", s(entry, HistoryProjection.AMOUNT),
                leg == null ? null : HistoryProjection.signedAmount(leg).toDecimalString());
    }

    private static void trackHolds(Map<String, TransferLeg> openHolds, AccountEvent event) {
        if (event instanceof HoldPlaced placed) {
            openHolds.put(placed.transferId(), placed);
        } else if (event instanceof HoldPosted || event instanceof HoldVoided || event instanceof HoldExpired) {
            openHolds.remove(((TransferLeg) event).transferId());
        }
    }

    private static String text(JsonNode node) {
        return node == null ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static String describe(AttributeValue value) {
        if (value == null) {
            return "absent";
        }
        if (value.hasL()) {
            List<String> parts = new ArrayList<>();
            value.l().forEach(v -> parts.add(describe(v)));
            return parts.toString();
        }
        if (value.hasM()) {
            return new TreeMap<>(value.m()).entrySet().stream().map(e -> e.getKey() + "=" + describe(e.getValue()))
                    .toList().toString();
        }
        return value.s() != null ? value.s() : String.valueOf(value.n());
    }

    private static long[] plus(long[] a, long[] b) {
        return new long[] {Math.addExact(a[0], b[0]), Math.addExact(a[1], b[1])};
    }

    /**
     * One stream's hash chain, walked by the store's {@link HashChainCursor}; a break, and a head that
     * is not where the chain ends, become findings.
     */
    private final class HashChainFindings {
        private final String stream;
        private final HashChainCursor cursor = HashChainCursor.fromGenesis();

        HashChainFindings(String stream) {
            this.stream = stream;
        }

        boolean accept(StoredEvent event) {
            if (cursor.accept(event)) {
                return true;
            }
            if (cursor.breakReason() == HashChainCursor.Break.MISSING_VERSION) {
                findings.add(stream, cursor.firstBadVersion(), "version", "missing: the next stored event is version "
                        + cursor.badEvent().version());
            } else {
                findings.add(stream, cursor.firstBadVersion(), "hash", "stored " + cursor.badEvent().hash()
                        + ", recomputed " + cursor.recomputedHash() + " (the event or one before it was altered)");
            }
            return false;
        }

        /** Checks the head against the chain's end; an absent optional means "no head is expected". */
        boolean finish(Optional<EventLog.HeadRef> head) {
            if (head.isEmpty()) {
                return true;
            }
            long version = cursor.version();
            String hash = cursor.headHash();
            boolean ok = true;
            if (head.get().version() != version) {
                findings.add(stream, head.get().version(), "head.version", "the head says " + head.get().version()
                        + ", the events end at " + version);
                ok = false;
            }
            if (!hash.equals(head.get().hash())) {
                findings.add(stream, version, "head.hash", "the head says " + head.get().hash()
                        + ", the chain ends at " + hash);
                ok = false;
            }
            return ok;
        }
    }
}
