package dev.ledger.replay;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.OverdraftFloor;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.BatchEvent.Outcome;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.projections.ProjectionCatalog;
import dev.ledger.store.BatchDigest;
import dev.ledger.store.HashChainCursor;
import dev.ledger.store.StoredEvent;
import dev.ledger.store.StreamAppend;
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
import java.util.function.BiFunction;
import java.util.function.Consumer;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Recomputes the ledger from its log and checks it: every stream's hash chain and head, the folds
 * of every account, transfer and multi-leg transaction, per-currency conservation (of all balances,
 * and of every transaction: what its account events post balances in each currency and is what the
 * transaction recorded), overdraft floors, pending totals against open holds, and the live projections
 * against the folds.
 *
 * <p>Memory: one page of events per worker, plus a few numbers per account (pending totals, for the
 * holds check), per currency, and per transaction and account it touches (the net each posted and the
 * net each should have); never the log.
 */
final class LogVerifier {

    /** What one run found and checked. */
    record Result(long accounts, long transfers, long transactions, long auditEntries, long events,
                  Map<String, String> currencyTotals, List<String> notChecked, Findings findings) {
        boolean ok() {
            return findings.count() == 0;
        }
    }

    private final EventLog log;
    private final List<ProjectionCheck> projections;
    private final Progress progress;
    private final Findings findings = new Findings();
    private final ShardChecks shards = new ShardChecks(findings);
    private final AtomicLong accounts = new AtomicLong();
    private final AtomicLong transfers = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong auditEntries = new AtomicLong();
    // Per transaction, per account: the net (credit +, debit -) its account events posted, and the net
    // the transaction says each account moves (for a posted one; empty for one that moved nothing).
    private final Map<String, Map<String, BigInteger>> postedByTransaction = new ConcurrentHashMap<>();
    private final Map<String, Map<String, BigInteger>> expectedByTransaction = new ConcurrentHashMap<>();
    private final Map<String, BigInteger> balancesByCurrency = new ConcurrentHashMap<>();
    private final Map<String, String> currencyOf = new ConcurrentHashMap<>();
    // Pending totals {debits, credits} per account: as the accounts' folds say, and as open holds say.
    private final Map<String, long[]> pendingByAccount = new ConcurrentHashMap<>();
    private final Map<String, long[]> pendingByHolds = new ConcurrentHashMap<>();
    private final Map<String, Long> lastVersion = new ConcurrentHashMap<>();
    private final Set<String> brokenStreams = ConcurrentHashMap.newKeySet();
    /** A reversal's transfer and amount, as one of the two streams it was written to says. */
    private record Reversed(String transferId, Money amount) {
    }

    // Each accepted reversal as its own stream records it and as its transfer's stream shows it, by id.
    private final Map<String, Reversed> reversalsRecorded = new ConcurrentHashMap<>();
    private final Map<String, Reversed> reversalsInTransfers = new ConcurrentHashMap<>();

    /** A transaction's reversal as its own record says: the transaction, and each account's signed movement. */
    private record TransactionReversalRecord(String transactionId, Map<String, BigInteger> legs,
                                             Map<String, String> currencies) {
    }

    // Accepted reversals of transactions by reversal id; the reversal each transaction's stream shows; and,
    // per transaction and account, what its reversal's account events moved (credit +, debit -).
    private final Map<String, TransactionReversalRecord> transactionReversalsRecorded = new ConcurrentHashMap<>();
    private final Map<String, String> transactionReversedBy = new ConcurrentHashMap<>();
    private final Map<String, Map<String, BigInteger>> reversedByTransaction = new ConcurrentHashMap<>();

    /**
     * @param tables the live table of each projection to compare with the log; empty compares none
     *               ({@code --log-only})
     */
    LogVerifier(EventLog log, DynamoDbClient dynamo, Map<ProjectionCatalog, String> tables, Progress progress) {
        this.log = log;
        this.projections = tables.entrySet().stream()
                .map(t -> new ProjectionCheck(dynamo, t.getKey(), t.getValue(), findings)).toList();
        this.progress = progress;
    }

    /** The comparisons of one stream with the projections that follow it. */
    private List<ProjectionCheck.Stream> projectionChecks(StreamId stream) {
        return projections.stream().filter(p -> p.follows(stream)).map(p -> p.stream(stream)).toList();
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
            shards.finish();
            shards.checkLegShards();
            checkTransactions();
            checkReversalsAgainstTransfers();
            checkTransactionReversals();
        }
        return result(notChecked);
    }

    /**
     * Only these accounts, each read by its own partitions (every shard of a sharded account), and the
     * transfers of their open holds. Conservation needs every account and is not checked.
     */
    Result verifyAccounts(List<String> accountIds, int threads) {
        ExecutorService workers = EventLog.boundedPool(threads, "verify");
        List<Future<?>> done = new ArrayList<>();
        Set<String> transfersChecked = ConcurrentHashMap.newKeySet();
        // A shard asked for is its account asked for: its moves and its count are checked across all of them.
        Set<String> accountsAsked = new java.util.LinkedHashSet<>();
        accountIds.forEach(id -> accountsAsked.add(AccountShards.accountOf(id)));
        try {
            for (String accountId : accountsAsked) {
                done.add(workers.submit(() -> survive(StreamId.account(accountId),
                        () -> checkAccountAndShards(accountId, transfersChecked))));
            }
            EventLog.await(done);
        } finally {
            workers.shutdownNow();
        }
        List<String> notChecked = new ArrayList<>();
        notChecked.add("conservation: needs every account (run verify without --accounts)");
        if (brokenStreams.isEmpty()) {
            shards.finish();
        } else {
            notChecked.add("shards: " + brokenStreams.size() + " streams cannot be folded (see findings)");
        }
        return result(notChecked);
    }

    /**
     * An account's own stream and, when its shard count says it has more, each of its shards, and the one
     * past the last (which must not exist).
     */
    private void checkAccountAndShards(String accountId, Set<String> transfersChecked) {
        AccountFold own = checkAccountAlone(accountId, transfersChecked);
        if (own == null) {
            return;
        }
        int count = Math.max(1, own.state.shardCount());
        for (int shard = 1; shard < count; shard++) {
            String streamAccountId = AccountShards.streamAccountId(accountId, shard);
            // A missing shard is the shard checks' finding, with the count that expects it.
            if (log.store().readHead(StreamId.account(streamAccountId)).isPresent()) {
                checkAccountAlone(streamAccountId, transfersChecked);
            }
        }
        if (count < AccountShards.MAX_SHARDS) {
            String past = AccountShards.streamAccountId(accountId, count);
            if (log.store().readHead(StreamId.account(past)).isPresent()) {
                checkAccountAlone(past, transfersChecked);
            }
        }
    }

    private Result result(List<String> notChecked) {
        Map<String, String> totals = new TreeMap<>();
        balancesByCurrency.forEach((currency, sum) -> totals.put(currency, sum.toString()));
        return new Result(accounts.get(), transfers.get(), transactions.get(), auditEntries.get(), progress.done(),
                totals, notChecked,
                findings);
    }

    private void check(EventLog.HeadRef head) {
        if (head.stream().type() == StreamId.StreamType.AUDIT) {
            checkAuditTrail(head);
        } else if (head.stream().type() == StreamId.StreamType.REVERSAL) {
            foldReversal(head.stream(), head);
        } else if (head.stream().type() == StreamId.StreamType.ACCOUNT) {
            AccountFold fold = foldAccount(head.stream(), Optional.of(head));
            if (fold != null) {
                // A sharded account is one account: its shards' pending totals add up, and its legs may be on
                // any of them (a transfer's on the shard it names: the shard checks).
                String account = fold.state.account();
                String currency = fold.state.currency().code();
                balancesByCurrency.merge(currency, BigInteger.valueOf(fold.state.balance()), BigInteger::add);
                currencyOf.put(account, currency);
                pendingByAccount.merge(account, new long[] {fold.state.debitsPending(), fold.state.creditsPending()},
                        LogVerifier::plus);
                if (fold.state.shard() == 0 && !fold.state.sharded()) {
                    lastVersion.put(account, fold.version);
                }
            }
        } else if (head.stream().type() == StreamId.StreamType.BATCH) {
            checkBatch(head);
        } else if (head.stream().type() == StreamId.StreamType.TRANSACTION) {
            TransactionState state = foldTransaction(head.stream(), Optional.of(head));
            if (state != null) {
                checkTransactionRecord(head.stream().toString(), state);
            }
        } else {
            TransferState state = foldTransfer(head.stream(), Optional.of(head));
            if (state != null && state.status() != TransferStatus.REJECTED) {
                shards.transfer(state);
            }
            if (state != null && state.status() == TransferStatus.PENDING) {
                long amount = state.request().amount().minorUnits();
                pendingByHolds.merge(state.request().debitAccountId(), new long[] {amount, 0}, LogVerifier::plus);
                pendingByHolds.merge(state.request().creditAccountId(), new long[] {0, amount}, LogVerifier::plus);
            }
        }
    }

    /**
     * A transaction as recorded: an accepted one balances in each currency; a pending one holds each
     * account's net (for the holds check); a posted one is what its accounts' events must post.
     */
    private void checkTransactionRecord(String name, TransactionState state) {
        Map<String, BigInteger> expected = new TreeMap<>();
        if (state.status() != TransactionStatus.REJECTED) {
            Map<String, BigInteger> byCurrency = new TreeMap<>();
            for (TransactionEntry entry : state.request().entries()) {
                BigInteger units = BigInteger.valueOf(entry.amount().minorUnits());
                byCurrency.merge(entry.amount().currency().code(),
                        entry.direction() == Side.CREDIT ? units : units.negate(), BigInteger::add);
            }
            byCurrency.forEach((currency, sum) -> {
                if (sum.signum() != 0) {
                    findings.add(name, 1L, "conservation." + currency, "its entries do not balance: credits minus "
                            + "debits is " + sum + " minor units");
                }
            });
        }
        for (String accountId : state.request().accountIds()) {
            BigInteger net = TransactionEntry.netCredit(state.request().entries(), accountId);
            if (state.status() == TransactionStatus.POSTED) {
                expected.put(accountId, net);
            } else if (state.status() == TransactionStatus.PENDING) {
                long amount = net.abs().longValueExact();
                pendingByHolds.merge(accountId, net.signum() < 0 ? new long[] {amount, 0} : new long[] {0, amount},
                        LogVerifier::plus);
            }
        }
        expectedByTransaction.put(state.transactionId(), expected);
        if (state.reversedBy() != null) {
            transactionReversedBy.put(state.transactionId(), state.reversedBy().reversalId());
        }
    }

    /**
     * A reversed transaction gives back exactly what it posted: its reversal's record and its
     * reversal's account events each move every account by the opposite of its posted net, conserve
     * each currency, and name each other (the transaction's stream, the reversal's and the accounts'
     * are written in one append); and no transaction is reversed twice.
     */
    private void checkTransactionReversals() {
        Map<String, List<String>> recordsByTransaction = new TreeMap<>();
        transactionReversalsRecorded.forEach((reversalId, record) -> recordsByTransaction
                .computeIfAbsent(record.transactionId(), id -> new ArrayList<>()).add(reversalId));
        recordsByTransaction.forEach((transactionId, reversalIds) -> {
            if (reversalIds.size() > 1) {
                findings.add(StreamId.transaction(transactionId).toString(), null, "reversal", "reversed more than "
                        + "once: accepted reversals " + new java.util.TreeSet<>(reversalIds));
            }
        });
        for (Map.Entry<String, TransactionReversalRecord> accepted : new TreeMap<>(transactionReversalsRecorded)
                .entrySet()) {
            String name = StreamId.reversal(accepted.getKey()).toString();
            TransactionReversalRecord record = accepted.getValue();
            String shown = transactionReversedBy.get(record.transactionId());
            if (!accepted.getKey().equals(shown)) {
                findings.add(name, 1L, "reversal", "accepted, reversing transaction " + record.transactionId()
                        + ", but that transaction's stream shows " + (shown == null ? "no reversal" : "reversal " + shown));
            }
            checkMirrors(name, record.transactionId(), record.legs(), "its legs");
            Map<String, BigInteger> byCurrency = new TreeMap<>();
            record.legs().forEach((accountId, net) -> byCurrency.merge(record.currencies().get(accountId), net,
                    BigInteger::add));
            byCurrency.forEach((currency, sum) -> {
                if (sum.signum() != 0) {
                    findings.add(name, 1L, "conservation." + currency, "its legs do not balance: credits minus debits"
                            + " is " + sum + " minor units");
                }
            });
        }
        Set<String> reversed = new java.util.TreeSet<>(transactionReversedBy.keySet());
        reversed.addAll(reversedByTransaction.keySet());
        for (String transactionId : reversed) {
            String name = StreamId.transaction(transactionId).toString();
            String reversalId = transactionReversedBy.get(transactionId);
            if (reversalId == null) {
                findings.add(name, null, "reversal", "account events of " + reversedByTransaction.get(transactionId)
                        .keySet() + " reverse it, but its stream shows no reversal");
                continue;
            }
            if (!transactionReversalsRecorded.containsKey(reversalId)) {
                findings.add(name, null, "reversal", "its stream shows reversal " + reversalId + ", but the log has no"
                        + " accepted reversal of that id reversing it");
            }
            Map<String, BigInteger> moved = reversedByTransaction.getOrDefault(transactionId, Map.of());
            checkMirrors(name, transactionId, moved, "its reversal's account events");
            Map<String, BigInteger> byCurrency = new TreeMap<>();
            moved.forEach((accountId, net) -> byCurrency.merge(currencyOf.getOrDefault(accountId, "?"), net,
                    BigInteger::add));
            byCurrency.forEach((currency, sum) -> {
                if (sum.signum() != 0) {
                    findings.add(name, null, "reversal.conservation." + currency, "its reversal's account events do"
                            + " not balance: credits minus debits is " + sum + " minor units");
                }
            });
        }
    }

    /** Each account's movement in {@code moved} is the opposite of what the transaction posted on it. */
    private void checkMirrors(String name, String transactionId, Map<String, BigInteger> moved, String what) {
        Map<String, BigInteger> posted = expectedByTransaction.get(transactionId);
        if (posted == null || posted.isEmpty()) {
            findings.add(name, null, "reversal", "reverses transaction " + transactionId + ", which posted nothing"
                    + (posted == null ? " (the log has no such transaction)" : ""));
            return;
        }
        Set<String> accountIds = new java.util.TreeSet<>(posted.keySet());
        accountIds.addAll(moved.keySet());
        for (String accountId : accountIds) {
            BigInteger want = posted.getOrDefault(accountId, BigInteger.ZERO).negate();
            BigInteger have = moved.get(accountId);
            if (have == null || !have.equals(want)) {
                findings.add(name, null, "reversal.legs." + accountId, "transaction " + transactionId + " posted "
                        + want.negate() + " minor units on it, so its reversal gives back " + want + "; " + what
                        + " move " + (have == null ? "nothing" : have));
            }
        }
    }

    /**
     * Per-currency conservation of every transaction across its account events (what they posted in
     * each currency sums to zero), and each account's posted net against the transaction's record.
     */
    private void checkTransactions() {
        Set<String> all = new HashSet<>(expectedByTransaction.keySet());
        all.addAll(postedByTransaction.keySet());
        for (String transactionId : all) {
            String name = StreamId.transaction(transactionId).toString();
            Map<String, BigInteger> posted = postedByTransaction.getOrDefault(transactionId, Map.of());
            Map<String, BigInteger> expected = expectedByTransaction.get(transactionId);
            Map<String, BigInteger[]> byCurrency = new TreeMap<>();
            posted.forEach((accountId, net) -> {
                BigInteger[] sides = byCurrency.computeIfAbsent(currencyOf.getOrDefault(accountId, "?"),
                        c -> new BigInteger[] {BigInteger.ZERO, BigInteger.ZERO});
                if (net.signum() < 0) {
                    sides[0] = sides[0].add(net.negate());
                } else {
                    sides[1] = sides[1].add(net);
                }
            });
            byCurrency.forEach((currency, sides) -> {
                if (!sides[0].equals(sides[1])) {
                    findings.add(name, null, "conservation." + currency, "its account events post debits of "
                            + sides[0] + " and credits of " + sides[1] + " minor units");
                }
            });
            if (expected == null) {
                findings.add(name, null, "legs", "account events of " + posted.keySet()
                        + " post it, but the log has no such transaction");
                continue;
            }
            Set<String> accountIds = new java.util.TreeSet<>(expected.keySet());
            accountIds.addAll(posted.keySet());
            for (String accountId : accountIds) {
                BigInteger want = expected.getOrDefault(accountId, BigInteger.ZERO);
                BigInteger have = posted.get(accountId);
                if (have == null ? expected.containsKey(accountId) : !have.equals(want)) {
                    findings.add(name, null, "legs." + accountId, "the transaction posts " + want
                            + " minor units on it, its account events " + (have == null ? "nothing" : have));
                }
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

    /** One account stream (an account's own, or a shard's) and its open holds; its fold, or null. */
    private AccountFold checkAccountAlone(String accountId, Set<String> transfersChecked) {
        StreamId stream = StreamId.account(accountId);
        Optional<EventLog.HeadRef> head = log.store().readHead(stream)
                .map(h -> new EventLog.HeadRef(stream, h.version(), h.hash()));
        if (head.isEmpty()) {
            findings.add(stream.toString(), null, "head", "the log has no such account");
            return null;
        }
        AccountFold fold = foldAccount(stream, head);
        if (fold == null) {
            return null;
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
            int namedShard = hold.getValue().side() == Side.DEBIT ? transfer.debitShard() : transfer.creditShard();
            if (namedShard != fold.state.shard()) {
                findings.add(stream.toString(), fold.version, "holds." + transferId, "the hold is on shard "
                        + fold.state.shard() + " of account " + fold.state.account() + ", but the transfer names shard "
                        + namedShard);
            }
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
        for (Map.Entry<String, TransactionLeg> hold : fold.openTransactionHolds.entrySet()) {
            String transactionId = hold.getKey();
            StreamId transactionStream = StreamId.transaction(transactionId);
            TransactionState transaction = transfersChecked.add(transactionStream.toString())
                    ? foldTransaction(transactionStream, log.store().readHead(transactionStream)
                    .map(h -> new EventLog.HeadRef(transactionStream, h.version(), h.hash())))
                    : foldTransaction(transactionStream, null);
            if (transaction == null) {
                continue;
            }
            long net = hold.getValue().netCredit();
            if (transaction.status() != TransactionStatus.PENDING) {
                findings.add(stream.toString(), fold.version, "holds." + transactionStream,
                        "the account still holds it, but the transaction is " + transaction.status());
            } else if (!TransactionEntry.netCredit(transaction.request().entries(), fold.state.account())
                    .equals(BigInteger.valueOf(net))) {
                findings.add(stream.toString(), fold.version, "holds." + transactionStream, "the account holds a net "
                        + net + " minor units, the transaction " + TransactionEntry.netCredit(
                        transaction.request().entries(), fold.state.account()));
            } else {
                int side = net < 0 ? 0 : 1;
                held[side] = Math.addExact(held[side], Math.abs(net));
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
        return fold;
    }

    /**
     * An account's fold: its state, version, and open holds (transfer id to the leg that placed it; and
     * transaction id to its leg).
     */
    private record AccountFold(AccountState state, long version, Map<String, TransferLeg> openHolds,
                               Map<String, TransactionLeg> openTransactionHolds) {
    }

    /** Folds an account, checking chain, head, floor and its projections; null if it cannot be folded. */
    private AccountFold foldAccount(StreamId stream, Optional<EventLog.HeadRef> head) {
        if (AccountShards.shardOf(stream.id()) == 0) {
            accounts.incrementAndGet(); // a sharded account counts once
        }
        String name = stream.toString();
        HashChainFindings chain = new HashChainFindings(name);
        List<ProjectionCheck.Stream> projected = projectionChecks(stream);
        AccountState state = null;
        OverdraftFloor floor = new OverdraftFloor();
        Map<String, TransferLeg> openHolds = new LinkedHashMap<>();
        Map<String, TransactionLeg> openTransactionHolds = new LinkedHashMap<>();
        StoredEvent last = null;
        long openedVersion = 0;
        CheckpointCheck checkpoints = new CheckpointCheck(name, log.store().checkpoints(stream), findings);
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
                floor.accept(accountEvent, state);
            } catch (RuntimeException unfoldable) {
                findings.add(name, event.version(), "event", "cannot be folded: " + unfoldable.getMessage());
                return broken(name);
            }
            if (last == null) {
                shards.first(stream, event, accountEvent);
            }
            shards.accept(stream, event, accountEvent);
            trackHolds(openHolds, accountEvent);
            trackTransactionLegs(state.account(), openTransactionHolds, accountEvent);
            if (accountEvent instanceof AccountOpened || accountEvent instanceof ShardOpened) {
                openedVersion = event.version();
            }
            last = event;
            projected.forEach(check -> check.accept(event));
            checkpoints.accept(event, state);
        }
        checkpoints.finish();
        if (!chain.finish(head)) {
            return broken(name);
        }
        if (state == null) {
            findings.add(name, null, "events", "the stream has a head but no events");
            return broken(name);
        }
        long version = last.version();
        projected.forEach(ProjectionCheck.Stream::finish);
        checkOverdraft(name, openedVersion, version, state, floor);
        shards.last(stream, state);
        return new AccountFold(state, version, openHolds, openTransactionHolds);
    }

    /**
     * The overdraft floor, and the bounds of issue 10 for a log written before they existed: a limit
     * above the largest an account can be opened with, and an available balance past the largest
     * amount. Computed exactly: no account, however large its totals, stops the check.
     */
    private void checkOverdraft(String name, long openedVersion, long version, AccountState state,
                                OverdraftFloor floor) {
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
        if (available.get().signum() < 0 && !floor.held()) {
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
        if (head != null) {
            transfers.incrementAndGet();
        }
        TransferState state = foldStream(stream, head,
                (before, event) -> TransferState.evolve(before, (TransferEvent) event), event -> {
                    if (event.event() instanceof TransferReversed reversed) {
                        reversalsInTransfers.put(reversed.reversalId(), new Reversed(stream.id(), reversed.amount()));
                    }
                });
        // Checked once, where the stream is checked in full (a head is given): never more back than posted.
        if (head != null && state != null && state.reversedAmount().isGreaterThan(state.postedAmount())) {
            findings.add(stream.toString(), head.map(EventLog.HeadRef::version).orElse(null), "reversedAmount",
                    "its reversals gave back " + state.reversedAmount() + ", more than it posted, "
                    + state.postedAmount());
        }
        return state;
    }

    /** As {@link #foldTransfer}, for a multi-leg transaction. */
    private TransactionState foldTransaction(StreamId stream, Optional<EventLog.HeadRef> head) {
        if (head != null) {
            transactions.incrementAndGet();
        }
        return foldStream(stream, head, (state, event) -> TransactionState.evolve(state, (TransactionEvent) event),
                event -> { });
    }

    /**
     * Folds any stream but an account's, checking its hash chain, its head (when given: null means
     * "already checked, fold only") and the projections that follow it; null if it cannot be folded.
     * {@code eachChecked} sees every event of a stream checked in full, after it folded.
     */
    private <S> S foldStream(StreamId stream, Optional<EventLog.HeadRef> head,
                             BiFunction<Optional<S>, LedgerEvent, S> evolve, Consumer<StoredEvent> eachChecked) {
        boolean checkAll = head != null;
        String name = stream.toString();
        HashChainFindings chain = new HashChainFindings(name);
        S state = null;
        List<ProjectionCheck.Stream> projected = checkAll ? projectionChecks(stream) : List.of();
        for (Iterator<StoredEvent> events = log.events(stream); events.hasNext(); ) {
            StoredEvent event = events.next();
            if (checkAll) {
                progress.add(1);
            }
            if (!chain.accept(event)) {
                return checkAll ? broken(name) : null;
            }
            try {
                state = evolve.apply(Optional.ofNullable(state), event.event());
            } catch (RuntimeException unfoldable) {
                if (checkAll) {
                    findings.add(name, event.version(), "event", "cannot be folded: " + unfoldable.getMessage());
                    return broken(name);
                }
                return null;
            }
            if (checkAll) {
                eachChecked.accept(event);
            }
            projected.forEach(check -> check.accept(event));
        }
        if (!checkAll) {
            return state;
        }
        if (!chain.finish(head)) {
            return broken(name);
        }
        if (state == null) {
            findings.add(name, null, "events", head.isPresent() ? "the stream has a head but no events"
                    : "the log has no such " + stream.type().name().toLowerCase(java.util.Locale.ROOT));
            return broken(name);
        }
        projected.forEach(ProjectionCheck.Stream::finish);
        return state;
    }

    /** Folds a reversal's stream (its one event), checking its chain and head. */
    private void foldReversal(StreamId stream, EventLog.HeadRef head) {
        ReversalState state = foldStream(stream, Optional.of(head),
                (before, event) -> ReversalState.evolve(before, (ReversalEvent) event), event -> { });
        if (state == null || state.isRejected()) {
            return;
        }
        if (state.request().originalKind() == OriginalKind.TRANSFER) {
            reversalsRecorded.put(state.reversalId(), new Reversed(state.request().originalId(), state.amount()));
        } else if (state.request().originalKind() == OriginalKind.TRANSACTION) {
            Map<String, BigInteger> legs = new TreeMap<>();
            Map<String, String> currencies = new TreeMap<>();
            for (ReversalEvent.Leg leg : state.legs()) {
                BigInteger units = BigInteger.valueOf(leg.amount().minorUnits());
                legs.merge(leg.accountId(), leg.side() == Side.CREDIT ? units : units.negate(), BigInteger::add);
                currencies.put(leg.accountId(), leg.amount().currency().code());
            }
            transactionReversalsRecorded.put(state.reversalId(),
                    new TransactionReversalRecord(state.request().originalId(), legs, currencies));
        }
    }

    /**
     * Every accepted reversal is in its transfer's stream with the same amount, and every reversal in
     * a transfer's stream has its own accepted record: the two are written in one transaction, so a
     * difference means an event was lost or written by something else.
     */
    private void checkReversalsAgainstTransfers() {
        Set<String> ids = new HashSet<>(reversalsRecorded.keySet());
        ids.addAll(reversalsInTransfers.keySet());
        for (String id : ids) {
            Reversed recorded = reversalsRecorded.get(id);
            Reversed inTransfer = reversalsInTransfers.get(id);
            if (recorded == null) {
                findings.add(StreamId.reversal(id).toString(), null, "reversal", "transfer " + inTransfer.transferId()
                        + " gives back " + inTransfer.amount() + " under this reversal id, but the log has no "
                        + "accepted reversal of that id");
            } else if (inTransfer == null) {
                findings.add(StreamId.reversal(id).toString(), 1L, "reversal", "accepted, giving back "
                        + recorded.amount() + " of transfer " + recorded.transferId()
                        + ", but that transfer's stream does not show it");
            } else if (!recorded.equals(inTransfer)) {
                findings.add(StreamId.reversal(id).toString(), 1L, "reversal", "its record gives back "
                        + recorded.amount() + " of transfer " + recorded.transferId() + ", the transfer's stream "
                        + inTransfer.amount() + " of " + inTransfer.transferId());
            }
        }
    }

    /**
     * A batch's stream (its one event, chain and head) and, for an accepted atomic batch, its atomicity:
     * every item it lists as recorded in its append has its own stream, whose first event is an accepted
     * record with the content the batch recorded (its digest) and was written in the same append as the
     * batch's record (the same {@code recordedAt} and {@code correlationId}, both under the items' own hash
     * chains); an item it found done before was recorded, with that content, no later than the batch.
     * Anything else is a partial batch.
     */
    private void checkBatch(EventLog.HeadRef head) {
        StoredEvent[] record = new StoredEvent[1];
        BatchState state = foldStream(head.stream(), Optional.of(head),
                (before, event) -> BatchState.evolve(before, (BatchEvent) event),
                event -> record[0] = record[0] == null ? event : record[0]);
        if (state == null) {
            return;
        }
        if (!state.atomic() || state.isRejected()) {
            return;
        }
        for (ItemOutcome item : state.items()) {
            checkBatchItem(head.stream().toString(), record[0], item);
        }
    }

    private void checkBatchItem(String batch, StoredEvent record, ItemOutcome item) {
        String field = "items[" + item.index() + "]";
        String what = item.kind() + " " + item.id();
        if (item.outcome() == Outcome.REJECTED) {
            findings.add(batch, 1L, field, "an accepted atomic batch lists " + what + " as refused");
            return;
        }
        Iterator<StoredEvent> events = log.events(item.stream());
        if (!events.hasNext()) {
            findings.add(batch, 1L, field, "the batch lists " + what + " as recorded, but the log has no such "
                    + item.kind() + ": a partial batch");
            return;
        }
        StoredEvent first = events.next();
        BatchItem recorded;
        try {
            LedgerEvent event = first.event();
            recorded = event instanceof TransferRecorded t ? new TransferItem(t.transferId(), t.request())
                    : event instanceof TransactionRecorded t ? new TransactionItem(t.transactionId(), t.request()) : null;
        } catch (RuntimeException unreadable) {
            findings.add(batch, 1L, field, what + " cannot be read: " + unreadable.getMessage());
            return;
        }
        if (recorded == null) {
            findings.add(batch, 1L, field, "the batch lists " + what + " as recorded, but its first event is "
                    + first.type());
            return;
        }
        if (!BatchDigest.item(recorded).equals(item.digest())) {
            findings.add(batch, 1L, field, what + " was recorded with other content than the batch lists (digest "
                    + BatchDigest.item(recorded) + ", the batch's " + item.digest() + ")");
        }
        if (item.outcome() == Outcome.APPLIED && !StreamAppend.sameAppend(first, record)) {
            findings.add(batch, 1L, field, what + " was not recorded in the batch's append (recorded at "
                    + first.recordedAt() + " by " + first.correlationId() + "; the batch at " + record.recordedAt()
                    + " by " + record.correlationId() + "): a partial batch");
        } else if (item.outcome() == Outcome.ALREADY_APPLIED && first.recordedAt().isAfter(record.recordedAt())) {
            findings.add(batch, 1L, field, "the batch found " + what + " done before it, but it was recorded after it, at "
                    + first.recordedAt());
        }
    }

    /**
     * The audit trail of operator actions (issue 15): its chain and head like any stream's, and every entry
     * readable. It moves no money, so a break in it is a finding but does not stop the money checks (it is
     * not a broken stream for conservation).
     */
    private void checkAuditTrail(EventLog.HeadRef head) {
        String name = head.stream().toString();
        HashChainFindings chain = new HashChainFindings(name);
        for (Iterator<StoredEvent> events = log.events(head.stream()); events.hasNext(); ) {
            StoredEvent event = events.next();
            progress.add(1);
            if (!chain.accept(event)) {
                return;
            }
            try {
                if (!(event.event() instanceof dev.ledger.domain.api.AuditEvent)) {
                    findings.add(name, event.version(), "type", "the audit trail holds a " + event.type());
                }
            } catch (RuntimeException unreadable) {
                findings.add(name, event.version(), "event", "cannot be read: " + unreadable.getMessage());
            }
            auditEntries.incrementAndGet();
        }
        chain.finish(Optional.of(head));
    }

    private <T> T broken(String stream) {
        brokenStreams.add(stream);
        return null;
    }

    private static void trackHolds(Map<String, TransferLeg> openHolds, AccountEvent event) {
        if (event instanceof HoldPlaced placed) {
            openHolds.put(placed.transferId(), placed);
        } else if (event instanceof HoldPosted || event instanceof HoldVoided || event instanceof HoldExpired) {
            openHolds.remove(((TransferLeg) event).transferId());
        }
    }

    /**
     * A transaction's account event: one that posts records the account's net for the transaction's
     * conservation check; a hold placed is open until posted, voided or expired.
     */
    private void trackTransactionLegs(String accountId, Map<String, TransactionLeg> openHolds, AccountEvent event) {
        if (!(event instanceof TransactionLeg leg)) {
            return;
        }
        if (leg instanceof TransactionEntriesReversed reversed) {
            // A reversal's movement is checked against what the transaction posted, not added to it.
            reversedByTransaction.computeIfAbsent(reversed.transactionId(), id -> new ConcurrentHashMap<>())
                    .merge(accountId, BigInteger.valueOf(reversed.netCredit()), BigInteger::add);
            return;
        }
        if (leg instanceof TransactionEntriesPosted || leg instanceof TransactionHoldPosted) {
            postedByTransaction.computeIfAbsent(leg.transactionId(), id -> new ConcurrentHashMap<>())
                    .merge(accountId, BigInteger.valueOf(leg.netCredit()), BigInteger::add);
        }
        if (leg instanceof TransactionHoldPlaced) {
            openHolds.put(leg.transactionId(), leg);
        } else if (!(leg instanceof TransactionEntriesPosted)) {
            openHolds.remove(leg.transactionId());
        }
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
