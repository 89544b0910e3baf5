package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.OverdraftFloor;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamId.StreamType;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property test: random command sequences over several accounts in two currencies (transfers, holds,
 * multi-leg transactions with netting entries, exchanges, pending ones posted, voided or expired, atomic
 * batches of them), with the
 * invariants of a double-entry ledger checked after every step (as Blnk's and Formance's invariant
 * harnesses do). Each seed is one test; a failure names its seed and step. Rerun a seed with
 * {@code -Dledger.seed=N} (and {@code -Dledger.seeds=1}).
 */
class LedgerInvariantsTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final CurrencyUnit JPY = CurrencyUnit.of("JPY");
    private static final int STEPS = 250;
    /** The command that completed a hold: a void, or a post with its amount (null: none named). */
    private record Settlement(String transferId, boolean voided, Money amount) {
    }

    /** The largest overdraft limit an account can be opened with (issue 10): 10^18 minor units. */
    private static final long MAX_LIMIT = 1_000_000_000_000_000_000L;

    private static final List<String> EUR_ACCOUNTS = List.of("eur-bank", "eur-a", "eur-b", "eur-c", "eur-max",
            "eur-near");
    private static final List<String> JPY_ACCOUNTS = List.of("jpy-bank", "jpy-a", "jpy-b");

    @TestFactory
    Stream<DynamicTest> invariantsHoldAfterEveryStepOfARandomWorkload() {
        long first = Long.getLong("ledger.seed", 1L);
        long count = Long.getLong("ledger.seeds", 200L);
        return LongStream.range(first, first + count)
                .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new Run(seed).play()));
    }

    /** One random workload. */
    private static final class Run {
        private final long seed;
        private final SplittableRandom random;
        private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        private final InMemoryLog log = new InMemoryLog();
        private final Ledger ledger = new Ledger(log, clock);
        private final Map<String, TransferRequest> usedTransferIds = new HashMap<>();
        private final List<Map.Entry<String, ReversalRequest>> reversalIds = new ArrayList<>();
        private final List<Settlement> settlements = new ArrayList<>();
        private final Map<String, OverdraftFloor> floors = new HashMap<>();
        private final List<String> transferIds = new ArrayList<>();
        private final Map<String, TransactionRequest> usedTransactionIds = new HashMap<>();
        private final List<String> transactionIds = new ArrayList<>();
        private final List<Map.Entry<String, BatchRequest>> batches = new ArrayList<>();
        private final List<Map.Entry<String, ReversalRequest>> transactionReversalIds = new ArrayList<>();
        // Pending transactions a post (false) or a void (true) completed.
        private final List<Map.Entry<String, Boolean>> transactionSettlements = new ArrayList<>();

        Run(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        void play() {
            open("eur-bank", EUR, OverdraftLimit.UNLIMITED);
            open("jpy-bank", JPY, OverdraftLimit.UNLIMITED);
            for (String id : List.of("eur-a", "eur-b", "eur-c")) {
                open(id, EUR, random.nextBoolean() ? OverdraftLimit.NONE : OverdraftLimit.of(random.nextLong(1, 5000)));
            }
            // Limits at and just under the largest one can be opened with.
            open("eur-max", EUR, OverdraftLimit.of(MAX_LIMIT));
            open("eur-near", EUR, OverdraftLimit.of(MAX_LIMIT - random.nextLong(0, 5000)));
            for (String id : List.of("jpy-a", "jpy-b")) {
                open(id, JPY, OverdraftLimit.NONE);
            }
            for (int step = 1; step <= STEPS; step++) {
                String description = step(step);
                checkInvariants("seed " + seed + ", step " + step + " (" + description + ")");
            }
            assertThat(log.replay()).as("seed %d: the log replays to the same state", seed).isEqualTo(log.states());
        }

        private String step(int step) {
            int choice = random.nextInt(100);
            if (choice < 25) {
                return apply("transfer", () -> transfer(step));
            } else if (choice < 30) {
                return batch(step);
            } else if (choice < 45) {
                return apply("transaction", () -> transaction(step));
            } else if (choice < 50) {
                String id = someTransactionId();
                int outcome = random.nextInt(3);
                return apply((outcome == 0 ? "post " : outcome == 1 ? "void " : "expire ") + id, () -> switch (outcome) {
                    case 0 -> ledger.postPendingTransaction(id);
                    case 1 -> ledger.voidPendingTransaction(id);
                    default -> ledger.expirePendingTransaction(id);
                });
            } else if (choice < 60) {
                String id = someTransferId();
                Money amount = random.nextBoolean() ? null : Money.of(random.nextLong(1, 3000), currencyOf(id));
                return apply("post " + id + " " + amount, () -> ledger.postPendingTransfer(id, amount));
            } else if (choice < 64) {
                String id = someTransferId();
                return apply("void " + id, () -> ledger.voidPendingTransfer(id));
            } else if (choice < 68) {
                return reversal(step);
            } else if (choice < 74) {
                String id = someTransferId();
                return apply("expire " + id, () -> ledger.expirePendingTransfer(id));
            } else if (choice < 79) {
                String id = someAccount();
                return apply("freeze " + id, () -> ledger.freezeAccount(id));
            } else if (choice < 86) {
                String id = someAccount();
                return apply("unfreeze " + id, () -> ledger.unfreezeAccount(id));
            } else if (choice < 89) {
                String id = someAccount();
                return apply("close " + id, () -> ledger.closeAccount(id));
            } else if (choice < 91) {
                String id = someAccount();
                return apply("reopen " + id, () -> ledger.openAccount(new OpenAccount(id, EUR, OverdraftLimit.NONE)));
            } else if (choice < 94 && !transactionSettlements.isEmpty() && random.nextInt(3) == 0) {
                // The same for a pending transaction: its post or void again.
                Map.Entry<String, Boolean> settled = transactionSettlements.get(random.nextInt(
                        transactionSettlements.size()));
                String id = settled.getKey();
                boolean voided = settled.getValue();
                LedgerResult repeated = voided ? ledger.voidPendingTransaction(id) : ledger.postPendingTransaction(id);
                assertThat(repeated.status()).as("seed %d: repeating the %s that completed transaction %s", seed,
                        voided ? "void" : "post", id).isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
                assertThat(repeated.originalVersion()).isEqualTo(2);
                return apply("repeat " + (voided ? "void " : "post ") + id, () -> repeated);
            } else if (choice < 94 && !settlements.isEmpty()) {
                // A client whose answer was lost sends the post or void that completed a hold again.
                Settlement settled = settlements.get(random.nextInt(settlements.size()));
                String id = settled.transferId();
                boolean voided = settled.voided();
                Money amount = settled.amount();
                LedgerResult repeated = voided ? ledger.voidPendingTransfer(id) : ledger.postPendingTransfer(id, amount);
                assertThat(repeated.status()).as("seed %d: repeating the %s that completed %s", seed,
                        voided ? "void" : "post " + amount, id).isEqualTo(LedgerResult.Status.ALREADY_APPLIED);
                return apply("repeat " + (voided ? "void " : "post " + amount + " ") + id, () -> repeated);
            } else {
                Duration tick = Duration.ofSeconds(random.nextLong(0, 40));
                clock.advance(tick);
                return "tick " + tick;
            }
        }

        /**
         * An atomic batch of one to four items: new transfers and transactions, now and then an item recorded
         * before (the same request: done; another: a conflict), and now and then the same batch again. After
         * it, either every item it lists as recorded is in the log, or (refused) nothing but its record is.
         */
        private String batch(int step) {
            if (!batches.isEmpty() && random.nextInt(8) == 0) {
                Map.Entry<String, BatchRequest> earlier = batches.get(random.nextInt(batches.size()));
                LedgerResult again = ledger.atomicBatch(earlier.getKey(), earlier.getValue());
                assertThat(again.status()).as("seed %d: the same batch %s again", seed, earlier.getKey())
                        .isNotEqualTo(LedgerResult.Status.APPLIED);
                return apply("batch again " + earlier.getKey(), () -> again);
            }
            String id = "b" + step;
            List<BatchItem> items = new ArrayList<>();
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(10);
                if (kind < 1 && !transferIds.isEmpty()) {
                    String earlier = transferIds.get(random.nextInt(transferIds.size()));
                    if (items.stream().noneMatch(item -> item.id().equals(earlier) && item instanceof TransferItem)) {
                        items.add(new TransferItem(earlier, random.nextInt(4) == 0 ? randomRequest()
                                : usedTransferIds.get(earlier)));
                    }
                } else if (kind < 4) {
                    items.add(new TransactionItem(id + "-" + i, randomTransaction()));
                } else {
                    items.add(new TransferItem(id + "-" + i, randomRequest()));
                }
            }
            if (items.isEmpty()) {
                items.add(new TransferItem(id + "-0", randomRequest()));
            }
            BatchRequest request = BatchLedgerTest.batch(true, items.toArray(BatchItem[]::new));
            batches.add(Map.entry(id, request));
            LedgerResult result = ledger.atomicBatch(id, request);
            String description = apply("batch " + id + " of " + items.size(), () -> result);
            if (result.status() == LedgerResult.Status.APPLIED) {
                int written = result.changes().stream().mapToInt(change -> change.events().size() + 1).sum();
                assertThat(written).as("seed %d: batch %s fits one DynamoDB transaction", seed, id)
                        .isLessThanOrEqualTo(100);
                BatchState recorded = log.batch(id).orElseThrow().state();
                for (var item : recorded.items()) {
                    assertThat(item.stream().type() == StreamType.TRANSFER ? log.transfer(item.id()).isPresent()
                            : log.transaction(item.id()).isPresent())
                            .as("seed %d: batch %s lists %s and the log has it", seed, id, item.stream()).isTrue();
                }
                for (BatchItem item : items) {
                    if (item instanceof TransferItem transfer && !usedTransferIds.containsKey(transfer.transferId())) {
                        usedTransferIds.put(transfer.transferId(), transfer.request());
                        transferIds.add(transfer.transferId());
                    } else if (item instanceof TransactionItem transaction) {
                        usedTransactionIds.put(transaction.transactionId(), transaction.request());
                        transactionIds.add(transaction.transactionId());
                    }
                }
            } else if (result.isRejected()) {
                assertThat(result.changes()).as("seed %d: refused batch %s writes only its own record", seed, id)
                        .allSatisfy(change -> assertThat(change.stream()).isEqualTo(StreamId.batch(id)));
                for (BatchItem item : items) {
                    if (!usedTransferIds.containsKey(item.id()) && !usedTransactionIds.containsKey(item.id())) {
                        boolean recorded = item instanceof TransferItem ? log.transfer(item.id()).isPresent()
                                : log.transaction(item.id()).isPresent();
                        assertThat(recorded).as("seed %d: refused batch %s recorded %s", seed, id, item.stream())
                                .isFalse();
                    }
                }
            }
            return description;
        }

        /** A reversal under a fresh id (now and then a retry of an earlier one, or forced), of some transfer. */
        private String reversal(int step) {
            if (!transactionIds.isEmpty() && random.nextInt(3) == 0) {
                return transactionReversal(step);
            }
            if (!reversalIds.isEmpty() && random.nextInt(6) == 0) {
                Map.Entry<String, ReversalRequest> earlier = reversalIds.get(random.nextInt(reversalIds.size()));
                return apply("reverse again " + earlier.getKey(), () -> ledger.reverseTransfer(earlier.getKey(),
                        earlier.getValue().originalId(), currency -> earlier.getValue()));
            }
            String id = "r" + step;
            String transferId = someTransferId();
            boolean force = random.nextInt(8) == 0;
            boolean all = random.nextInt(3) == 0;
            long units = random.nextInt(10) == 0 ? random.nextLong(1, Long.MAX_VALUE) : random.nextLong(1, 3000);
            ReversalRequest[] asked = new ReversalRequest[1];
            String description = apply("reverse " + transferId + (all ? " all" : " " + units) + (force ? " forced" : "")
                    + " as " + id, () -> ledger.reverseTransfer(id, transferId, currency -> {
                        asked[0] = new ReversalRequest(OriginalKind.TRANSFER, transferId,
                                all ? null : Money.of(units, currency), force, new TreeMap<>());
                        return asked[0];
                    }));
            if (asked[0] != null) {
                reversalIds.add(Map.entry(id, asked[0]));
            }
            return description;
        }

        /** A reversal of a whole transaction under a fresh id (now and then a retry, or forced, or of none). */
        private String transactionReversal(int step) {
            if (!transactionReversalIds.isEmpty() && random.nextInt(5) == 0) {
                Map.Entry<String, ReversalRequest> earlier = transactionReversalIds.get(
                        random.nextInt(transactionReversalIds.size()));
                return apply("reverse transaction again " + earlier.getKey(),
                        () -> ledger.reverseTransaction(earlier.getKey(), earlier.getValue()));
            }
            String id = "tr" + step;
            // Mostly a posted one (most random transactions are pending or refused); now and then any, or none.
            List<String> posted = transactionIds.stream().filter(t -> log.transaction(t)
                    .map(v -> v.state().status() == dev.ledger.domain.transaction.TransactionStatus.POSTED)
                    .orElse(false)).toList();
            String transactionId = random.nextInt(20) == 0 ? "unknown"
                    : !posted.isEmpty() && random.nextInt(3) != 0 ? posted.get(random.nextInt(posted.size()))
                    : transactionIds.get(random.nextInt(transactionIds.size()));
            ReversalRequest request = new ReversalRequest(OriginalKind.TRANSACTION, transactionId, null,
                    random.nextInt(8) == 0, new TreeMap<>());
            transactionReversalIds.add(Map.entry(id, request));
            return apply("reverse transaction " + transactionId + (request.force() ? " forced" : "") + " as " + id,
                    () -> ledger.reverseTransaction(id, request));
        }

        private LedgerResult transfer(int step) {
            if (!usedTransferIds.isEmpty() && random.nextInt(10) == 0) {
                // A client retry: the same id, with the same request or (rarely) another.
                String id = transferIds.get(random.nextInt(transferIds.size()));
                TransferRequest request = random.nextInt(4) == 0
                        ? randomRequest() : usedTransferIds.get(id);
                return ledger.transfer(id, request);
            }
            String id = "t" + step;
            TransferRequest request = randomRequest();
            usedTransferIds.put(id, request);
            transferIds.add(id);
            return ledger.transfer(id, request);
        }

        private LedgerResult transaction(int step) {
            if (!usedTransactionIds.isEmpty() && random.nextInt(10) == 0) {
                // A client retry: the same id, with the same request or (rarely) another.
                String id = transactionIds.get(random.nextInt(transactionIds.size()));
                TransactionRequest request = random.nextInt(4) == 0 ? randomTransaction() : usedTransactionIds.get(id);
                return ledger.transaction(id, request);
            }
            String id = "tx" + step;
            TransactionRequest request = randomTransaction();
            usedTransactionIds.put(id, request);
            transactionIds.add(id);
            LedgerResult result = ledger.transaction(id, request);
            int items = result.changes().stream().mapToInt(change -> change.events().size() + 1).sum();
            assertThat(items).as("seed %d: %s fits one DynamoDB transaction", seed, id).isLessThanOrEqualTo(100);
            return result;
        }

        /**
         * Entries that balance in one currency, or two (an exchange through the other currency's bank);
         * accounts drawn with repeats (so entries net), now and then the wrong currency for an account or
         * one minor unit off balance, to exercise the refusals.
         */
        private TransactionRequest randomTransaction() {
            List<TransactionEntry> entries = new ArrayList<>();
            boolean euro = random.nextInt(3) > 0;
            balancedLegs(entries, euro);
            if (random.nextInt(4) == 0) {
                balancedLegs(entries, !euro);
            }
            if (random.nextInt(12) == 0) {
                TransactionEntry last = entries.remove(entries.size() - 1);
                long units = last.amount().minorUnits();
                entries.add(new TransactionEntry(last.index(), last.accountId(), last.direction(),
                        Money.of(units == Long.MAX_VALUE ? units - 1 : units + 1, last.amount().currency())));
            }
            boolean pending = random.nextInt(3) == 0;
            return new TransactionRequest(entries, pending, pending ? random.nextLong(1, 120) : 0, new TreeMap<>());
        }

        private void balancedLegs(List<TransactionEntry> entries, boolean euro) {
            List<String> accounts = euro ? EUR_ACCOUNTS : JPY_ACCOUNTS;
            CurrencyUnit currency = euro ? EUR : JPY;
            long total = amount();
            // Mostly from the bank, so that many are accepted and later posted, voided or expired.
            String debit = random.nextBoolean() ? accounts.get(0) : accounts.get(random.nextInt(accounts.size()));
            entries.add(new TransactionEntry(entries.size(), debit, Side.DEBIT, Money.of(total, currency)));
            int credits = 1 + random.nextInt(2);
            long remaining = total;
            for (int i = 0; i < credits && remaining > 0; i++) {
                long part = i == credits - 1 || remaining < 2 ? remaining : 1 + random.nextLong(remaining - 1);
                remaining -= part;
                String credit = random.nextInt(15) == 0 ? (euro ? JPY_ACCOUNTS : EUR_ACCOUNTS).get(0)
                        : accounts.get(random.nextInt(accounts.size()));
                entries.add(new TransactionEntry(entries.size(), credit, Side.CREDIT, Money.of(part, currency)));
            }
        }

        /** Mostly a pending transaction; now and then any, or one that does not exist. */
        private String someTransactionId() {
            List<String> pending = transactionIds.stream()
                    .filter(id -> log.transaction(id).map(t -> t.state().isPending()).orElse(false)).toList();
            if (!pending.isEmpty() && random.nextInt(4) > 0) {
                return pending.get(random.nextInt(pending.size()));
            }
            return transactionIds.isEmpty() || random.nextInt(20) == 0 ? "unknown"
                    : transactionIds.get(random.nextInt(transactionIds.size()));
        }

        private TransferRequest randomRequest() {
            boolean euro = random.nextInt(3) > 0;
            List<String> accounts = euro ? EUR_ACCOUNTS : JPY_ACCOUNTS;
            String debit = accounts.get(random.nextInt(accounts.size()));
            // Now and then the wrong currency or the same account, to exercise the refusals.
            String credit = random.nextInt(15) == 0 ? (euro ? JPY_ACCOUNTS : EUR_ACCOUNTS).get(0)
                    : accounts.get(random.nextInt(accounts.size()));
            Money amount = Money.of(amount(), euro ? EUR : JPY);
            boolean pending = random.nextInt(3) == 0;
            return new TransferRequest(debit, credit, amount, pending, pending ? random.nextLong(1, 120) : 0,
                    new TreeMap<>());
        }

        /** Mostly small amounts; now and then one near the largest overdraft limit or the largest amount. */
        private long amount() {
            return switch (random.nextInt(12)) {
                case 0 -> MAX_LIMIT + random.nextLong(-4000, 4000);
                case 1 -> Long.MAX_VALUE - random.nextLong(0, 4000);
                case 2 -> random.nextLong(1, Long.MAX_VALUE);
                default -> random.nextLong(1, 4000);
            };
        }

        private String apply(String description, Supplier<LedgerResult> command) {
            Map<StreamId, StreamState> before = accountStates();
            LedgerResult result = command.get();
            log.append(result);
            if (result.status() == LedgerResult.Status.ALREADY_APPLIED) {
                assertThat(result.changes()).as("seed %d: %s was already applied but appended", seed, description)
                        .isEmpty();
            }
            for (StreamChange change : result.changes()) {
                if (change.stream().type() == StreamType.ACCOUNT) {
                    // Each event against the account as it stood after it: the floor, walked event by event.
                    AccountState state = (AccountState) before.get(change.stream());
                    OverdraftFloor floor = floors.computeIfAbsent(change.stream().id(), k -> new OverdraftFloor());
                    for (var event : change.events()) {
                        state = AccountState.evolve(java.util.Optional.ofNullable(state), (AccountEvent) event);
                        floor.accept((AccountEvent) event, state);
                    }
                }
                for (var event : change.events()) {
                    if (event instanceof PendingTransferPosted posted) {
                        settlements.add(new Settlement(posted.transferId(), false, posted.requested().amount()));
                    } else if (event instanceof PendingTransferVoided voided) {
                        settlements.add(new Settlement(voided.transferId(), true, null));
                    } else if (event instanceof dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted posted) {
                        transactionSettlements.add(Map.entry(posted.transactionId(), false));
                    } else if (event instanceof dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided voided) {
                        transactionSettlements.add(Map.entry(voided.transactionId(), true));
                    }
                }
            }
            if (result.isRejected()) {
                // A refusal may record itself in the transfer's stream, or record an overdue
                // hold's expiry, but never moves money the client asked to move.
                boolean recordedExpiry = result.changes().stream().anyMatch(c -> c.events().stream()
                        .anyMatch(e -> e instanceof dev.ledger.domain.api.TransferEvent.PendingTransferExpired
                                || e instanceof dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired));
                if (!recordedExpiry) {
                    assertThat(accountStates()).as("seed %d: %s was rejected (%s) but changed an account", seed,
                            description, result.rejection().code()).isEqualTo(before);
                }
            }
            return description + " -> " + (result.isRejected() ? result.rejection().code().code() : result.status());
        }

        private void checkInvariants(String where) {
            Map<String, BigInteger> sumByCurrency = new TreeMap<>();
            Map<String, long[]> pendingByAccount = new HashMap<>();
            for (StreamState state : log.states().values()) {
                if (state instanceof TransferState transfer) {
                    long held = transfer.pendingAmount().minorUnits();
                    long[] debited = pendingByAccount.computeIfAbsent(transfer.request().debitAccountId(), k -> new long[2]);
                    debited[0] = Math.addExact(debited[0], held);
                    long[] credited = pendingByAccount.computeIfAbsent(transfer.request().creditAccountId(), k -> new long[2]);
                    credited[1] = Math.addExact(credited[1], held);
                } else if (state instanceof TransactionState transaction && transaction.isPending()) {
                    // A pending transaction holds each account's net, on the net's side.
                    for (String accountId : transaction.request().accountIds()) {
                        long net = TransactionEntry.netCredit(transaction.request().entries(), accountId).longValueExact();
                        long[] held = pendingByAccount.computeIfAbsent(accountId, k -> new long[2]);
                        if (net < 0) {
                            held[0] = Math.addExact(held[0], Math.negateExact(net));
                        } else {
                            held[1] = Math.addExact(held[1], net);
                        }
                    }
                }
            }
            Map<String, String> acceptedTransactionReversals = new HashMap<>();
            for (StreamState state : log.states().values()) {
                if (state instanceof dev.ledger.domain.reversal.ReversalState reversal && !reversal.isRejected()
                        && reversal.request().originalKind() == OriginalKind.TRANSACTION) {
                    String transactionId = reversal.request().originalId();
                    assertThat(acceptedTransactionReversals.put(transactionId, reversal.reversalId()))
                            .as("%s: transaction %s is reversed once", where, transactionId).isNull();
                    TransactionState reversed = log.transaction(transactionId).orElseThrow().state();
                    assertThat(reversed.reversedBy().reversalId()).as("%s: %s shows its reversal", where, transactionId)
                            .isEqualTo(reversal.reversalId());
                    for (var leg : reversal.legs()) {
                        long net = TransactionEntry.netCredit(reversed.request().entries(), leg.accountId())
                                .longValueExact();
                        long back = leg.side() == dev.ledger.domain.api.Side.CREDIT ? leg.amount().minorUnits()
                                : -leg.amount().minorUnits();
                        assertThat(back).as("%s: %s gives back exactly what %s posted on %s", where,
                                reversal.reversalId(), transactionId, leg.accountId()).isEqualTo(-net);
                    }
                }
            }
            for (StreamState state : log.states().values()) {
                if (state instanceof TransactionState transaction && transaction.isReversed()) {
                    assertThat(acceptedTransactionReversals).as("%s: %s has the reversal it shows", where,
                            transaction.transactionId()).containsEntry(transaction.transactionId(),
                            transaction.reversedBy().reversalId());
                }
                if (state instanceof TransferState transfer) {
                    assertThat(transfer.reversedAmount().minorUnits()).as("%s: %s reversed no more than it posted",
                            where, transfer.transferId()).isLessThanOrEqualTo(transfer.postedAmount().minorUnits());
                }
                if (state instanceof AccountState account) {
                    sumByCurrency.merge(account.currency().code(), BigInteger.valueOf(account.balance()), BigInteger::add);
                    if (!account.overdraftLimit().unlimited()) {
                        BigInteger available = account.available().orElseThrow();
                        OverdraftFloor floor = floors.get(account.accountId());
                        assertThat(floor == null || floor.held()).as("%s: %s is below its overdraft floor other than "
                                + "by forced reversals (available %s)", where, account.accountId(), available).isTrue();
                        assertThat(available).as("%s: %s has more available than the largest amount", where,
                                account.accountId()).isLessThanOrEqualTo(BigInteger.valueOf(Long.MAX_VALUE));
                    }
                    long[] held = pendingByAccount.getOrDefault(account.accountId(), new long[2]);
                    assertThat(new long[] {account.debitsPending(), account.creditsPending()})
                            .as("%s: %s pending totals equal its open holds", where, account.accountId())
                            .containsExactly(held);
                }
            }
            assertThat(sumByCurrency).as("%s: money is conserved per currency", where)
                    .allSatisfy((currency, sum) -> assertThat(sum).isEqualTo(BigInteger.ZERO));
        }

        private Map<StreamId, StreamState> accountStates() {
            Map<StreamId, StreamState> accounts = new TreeMap<>(log.states());
            accounts.keySet().removeIf(id -> id.type() != StreamType.ACCOUNT);
            return accounts;
        }

        private void open(String id, CurrencyUnit currency, OverdraftLimit limit) {
            log.append(ledger.openAccount(new OpenAccount(id, currency, limit)));
        }

        private String someTransferId() {
            return transferIds.isEmpty() || random.nextInt(20) == 0 ? "unknown"
                    : transferIds.get(random.nextInt(transferIds.size()));
        }

        private CurrencyUnit currencyOf(String transferId) {
            TransferRequest request = usedTransferIds.get(transferId);
            return request == null ? EUR : request.amount().currency();
        }

        private String someAccount() {
            List<String> all = new ArrayList<>(EUR_ACCOUNTS);
            all.addAll(JPY_ACCOUNTS);
            return all.get(random.nextInt(all.size()));
        }
    }
}
