package dev.ledger.domain.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.account.OverdraftFloor;
import dev.ledger.domain.api.AccountCommand.OpenAccount;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountShards;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamId.StreamType;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property test of sharded accounts (issue 13): a house account with a finite floor and a random number
 * of shards (raised now and then) is paid into, pays out at once, by holds posted or voided and by
 * multi-leg transactions (at once, or pending then posted or voided), and has
 * payments reversed both ways, by commands that each decide on the log as it stood a few steps earlier
 * and append later, as concurrent Lambdas do; a command whose streams moved meanwhile loses its race and
 * is decided again, on the next shard. After every step: no shard and not the account as a whole is below
 * its floor, money is conserved, the kept states are the fold of the log, and every refusal for
 * insufficient funds was true of the account as a whole. Rerun a seed with {@code -Dledger.seed=N
 * -Dledger.seeds=1}.
 */
class ShardedAccountInvariantsTest {

    private static final CurrencyUnit EUR = CurrencyUnit.of("EUR");
    private static final String HOUSE = "house";
    private static final String SOURCE = "source";
    private static final List<String> CUSTOMERS = List.of("cust-a", "cust-b", "cust-c");
    private static final int STEPS = 300;
    private static final int MAX_ATTEMPTS = 8;

    @TestFactory
    Stream<DynamicTest> aShardedAccountKeepsToItsFloorUnderRacingCommands() {
        long first = Long.getLong("ledger.seed", 1L);
        long count = Long.getLong("ledger.seeds", 60L);
        return LongStream.range(first, first + count)
                .mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> new Run(seed).play()));
    }

    /** One random workload. */
    private static final class Run {
        private final long seed;
        private final SplittableRandom random;
        private final InMemoryLog log = new InMemoryLog();
        private final TestClock clock = new TestClock(Instant.parse("2026-11-29T00:00:00Z"));
        /** The log as it stood at the last few steps: a command decides on one of them, as a racing Lambda would. */
        private final List<InMemoryLog> earlier = new ArrayList<>();
        private final List<String> payments = new ArrayList<>();
        private final List<String> deposits = new ArrayList<>();
        private final List<String> holds = new ArrayList<>();
        private final List<String> pendingTransactions = new ArrayList<>();
        /**
         * Shard counts remembered across commands, never forgotten, as a Lambda container remembers them;
         * a command deciding on an older log may know a count its log does not have yet.
         */
        private final ShardCounts counts = new ShardCounts() {
            private final Map<String, Integer> seen = new HashMap<>();

            @Override
            public OptionalInt known(String accountId) {
                Integer count = seen.get(accountId);
                return count == null ? OptionalInt.empty() : OptionalInt.of(count);
            }

            @Override
            public void saw(String accountId, int shardCount) {
                seen.merge(accountId, shardCount, Math::max);
            }
        };
        private int step;
        private int ids;
        private int gathered;
        private int refusedAsAWhole;

        Run(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        void play() {
            long limit = random.nextBoolean() ? 0 : random.nextLong(1, 5_000);
            int shards = random.nextInt(2, 9);
            commit(ledger -> ledger.openAccount(new OpenAccount(HOUSE, EUR, OverdraftLimit.of(limit)), shards));
            commit(ledger -> ledger.openAccount(new OpenAccount(SOURCE, EUR, OverdraftLimit.UNLIMITED)));
            for (String customer : CUSTOMERS) {
                commit(ledger -> ledger.openAccount(new OpenAccount(customer, EUR, OverdraftLimit.of(0))));
            }
            for (step = 1; step <= STEPS; step++) {
                earlier.add(log.snapshot());
                if (earlier.size() > 4) {
                    earlier.remove(0);
                }
                randomStep();
                checkInvariants();
                clock.advance(Duration.ofSeconds(1));
            }
            // The workload reached the cases it is about: funds gathered across shards, refusals of the whole.
            assertThat(gathered + refusedAsAWhole).as("seed %d: moves between shards and refusals", seed).isPositive();
        }

        private void randomStep() {
            if (house().state().status() == AccountStatus.FROZEN && random.nextInt(4) == 0) {
                commit(ledger -> ledger.unfreezeAccount(HOUSE));
                return;
            }
            int roll = random.nextInt(100);
            if (roll < 25) {
                String id = "dep-" + ids++;
                LedgerResult result = commit(ledger -> ledger.transfer(id, TransferRequest.posted(SOURCE, HOUSE,
                        amount(300))));
                if (result.status() == LedgerResult.Status.APPLIED) {
                    deposits.add(id);
                }
            } else if (roll < 60) {
                String id = "pay-" + ids++;
                Money amount = amount(500);
                LedgerResult result = commit(ledger -> ledger.transfer(id, TransferRequest.posted(HOUSE, customer(),
                        amount)));
                noteDebit(result, amount);
                if (result.status() == LedgerResult.Status.APPLIED) {
                    payments.add(id);
                }
            } else if (roll < 66) {
                // A multi-leg payment out of the house: its leg stays on shard 0, which gathers funds when short.
                String id = "tx-" + ids++;
                long total = random.nextLong(2, 500);
                long first = random.nextLong(1, total);
                Money amount = Money.of(total, EUR);
                boolean pending = random.nextBoolean();
                TransactionRequest request = new TransactionRequest(List.of(
                        new TransactionEntry(0, HOUSE, Side.DEBIT, amount),
                        new TransactionEntry(1, "cust-a", Side.CREDIT, Money.of(first, EUR)),
                        new TransactionEntry(2, "cust-b", Side.CREDIT, Money.of(total - first, EUR))),
                        pending, pending ? 3600 : 0, new TreeMap<>());
                LedgerResult result = commit(ledger -> ledger.transaction(id, request));
                noteDebit(result, amount);
                if (pending && result.status() == LedgerResult.Status.APPLIED) {
                    pendingTransactions.add(id);
                }
            } else if (roll < 69 && !pendingTransactions.isEmpty()) {
                String id = pendingTransactions.remove(random.nextInt(pendingTransactions.size()));
                boolean post = random.nextBoolean();
                commit(ledger -> post ? ledger.postPendingTransaction(id) : ledger.voidPendingTransaction(id));
            } else if (roll < 72) {
                String id = "hold-" + ids++;
                Money amount = amount(300);
                LedgerResult result = commit(ledger -> ledger.transfer(id, TransferRequest.pending(HOUSE, customer(),
                        amount, 3600)));
                noteDebit(result, amount);
                if (result.status() == LedgerResult.Status.APPLIED) {
                    holds.add(id);
                }
            } else if (roll < 82 && !holds.isEmpty()) {
                String id = holds.remove(random.nextInt(holds.size()));
                int how = random.nextInt(3);
                commit(ledger -> how == 0 ? ledger.voidPendingTransfer(id)
                        : ledger.postPendingTransfer(id, how == 1 ? null : Money.of(1, EUR)));
            } else if (roll < 90 && !payments.isEmpty()) {
                // The customer pays the house back: a credit to the house's picked shard.
                String original = payments.get(random.nextInt(payments.size()));
                commit(ledger -> ledger.reverseTransfer("rev-" + ids++, original,
                        currency -> ReversalRequest.ofTransfer(original, Money.of(1, currency))));
            } else if (roll < 96 && !deposits.isEmpty()) {
                // The house gives a deposit back: a debit of the house, as any other.
                String original = deposits.get(random.nextInt(deposits.size()));
                Money amount = Money.of(random.nextLong(1, 50), EUR);
                LedgerResult result = commit(ledger -> ledger.reverseTransfer("rev-" + ids++, original,
                        currency -> ReversalRequest.ofTransfer(original, amount)));
                if (result.isRejected() && result.rejection().code() == RejectionCode.INSUFFICIENT_FUNDS) {
                    noteDebit(result, amount);
                }
            } else if (roll < 98) {
                int more = Math.min(AccountShards.MAX_SHARDS, house().state().shardCount() + random.nextInt(1, 3));
                commit(ledger -> ledger.raiseShards(HOUSE, more));
            } else {
                commit(ledger -> ledger.freezeAccount(HOUSE));
            }
        }

        /**
         * Decides on the log as it stood a few steps ago, then appends to the log as it is: a result whose
         * streams moved meanwhile lost the race and is decided again on a fresh read, as CommandService does.
         */
        private LedgerResult commit(Function<Ledger, LedgerResult> command) {
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                InMemoryLog read = attempt == 1 && !earlier.isEmpty()
                        ? earlier.get(random.nextInt(earlier.size())).snapshot() : log.snapshot();
                LedgerResult result = command.apply(new Ledger(read, clock, attempt, counts));
                if (log.tryAppend(result)) {
                    gathered += (int) result.changes().stream().flatMap(change -> change.events().stream())
                            .filter(event -> event instanceof AccountEvent.ShardFundsMoved moved
                                    && moved.side() == Side.CREDIT).count();
                    return result;
                }
            }
            throw new AssertionError("seed " + seed + " step " + step + ": a command on a fresh read lost a race "
                    + "with nobody");
        }

        /** A debit of the house refused for funds: the house as a whole lacked them (the refusal's shards did not move). */
        private void noteDebit(LedgerResult result, Money amount) {
            if (result.isRejected() && result.rejection().code() == RejectionCode.INSUFFICIENT_FUNDS
                    && result.rejection().message().startsWith("account " + HOUSE + " ")) {
                BigInteger available = whole().available().orElseThrow();
                assertThat(available).as("seed %d step %d: refused %s for funds: %s", seed, step, amount,
                        result.rejection().message()).isLessThan(BigInteger.valueOf(amount.minorUnits()));
                refusedAsAWhole++;
            }
        }

        private void checkInvariants() {
            String at = "seed " + seed + " step " + step;
            Map<StreamId, StreamState> states = log.states();
            assertThat(log.replay()).as("%s: the kept states are the fold of the log", at).isEqualTo(states);
            long total = 0;
            for (StreamState state : states.values()) {
                if (state instanceof AccountState account) {
                    total = Math.addExact(total, account.balance());
                    account.available().ifPresent(available -> assertThat(available.signum())
                            .as("%s: %s is below its floor", at, account.accountId()).isGreaterThanOrEqualTo(0));
                }
            }
            assertThat(total).as("%s: money is conserved", at).isZero();
            AccountState whole = whole();
            assertThat(whole.available().orElseThrow().signum()).as("%s: the house as a whole is below its floor", at)
                    .isGreaterThanOrEqualTo(0);
            long shardBalances = shards().stream().mapToLong(AccountState::balance).sum();
            assertThat(whole.balance()).as("%s: the whole is its shards' sum", at).isEqualTo(shardBalances);
            for (AccountState shard : shards()) {
                OverdraftFloor floor = new OverdraftFloor();
                AccountState folded = null;
                for (LedgerEvent event : log.events(shard.streamId())) {
                    folded = AccountState.evolve(Optional.ofNullable(folded), (AccountEvent) event);
                    floor.accept((AccountEvent) event, folded);
                }
                assertThat(floor.held()).as("%s: the log shows %s past its floor", at, shard.accountId()).isTrue();
            }
            for (StreamState state : states.values()) {
                if (state instanceof TransferState transfer && transfer.status() == TransferStatus.PENDING) {
                    String holder = AccountShards.streamAccountId(HOUSE, transfer.debitShard());
                    assertThat(((AccountState) states.get(StreamId.account(holder))).debitsPending())
                            .as("%s: hold %s is held on %s", at, transfer.transferId(), holder)
                            .isGreaterThanOrEqualTo(transfer.request().amount().minorUnits());
                }
            }
        }

        private Versioned<AccountState> house() {
            return log.account(HOUSE).orElseThrow();
        }

        private List<AccountState> shards() {
            List<AccountState> shards = new ArrayList<>();
            log.states().forEach((stream, state) -> {
                if (stream.type() == StreamType.ACCOUNT && AccountShards.accountOf(stream.id()).equals(HOUSE)) {
                    shards.add((AccountState) state);
                }
            });
            shards.sort(Comparator.comparingInt(AccountState::shard));
            assertThat(shards).hasSize(house().state().shardCount());
            return shards;
        }

        private AccountState whole() {
            return AccountState.whole(shards());
        }

        private String customer() {
            return CUSTOMERS.get(random.nextInt(CUSTOMERS.size()));
        }

        private Money amount(long max) {
            return Money.of(random.nextLong(1, max), EUR);
        }
    }
}
