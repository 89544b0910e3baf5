package dev.ledger.benchmarks.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ledger.benchmarks.capacity.CapacityModel.Config;
import dev.ledger.benchmarks.capacity.CapacityModel.Mode;
import dev.ledger.benchmarks.capacity.CapacityModel.Prediction;
import dev.ledger.benchmarks.capacity.CapacityModel.ShardPick;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class CapacityModelTest {

    /** Fixed latencies: a command takes 2 + 3 * 4 + 1 + 10 = 25 ms when nothing collides. */
    private static Config fixed(Mode mode, int clients, int shards) {
        return new Config(clients, shards, Latency.fixed(4), Latency.fixed(10), Latency.fixed(2), 1, 3, 1,
                Retries.deployed(), mode, Config.ALL_AT_SERVER, 0.5, 1_000, 60_000, 42);
    }

    /** Spread latencies, as on AWS (the model's collisions need some variance to be realistic). */
    private static Config spread(Mode mode, int clients, int shards) {
        return new Config(clients, shards, Latency.logNormal(3, 10), Latency.logNormal(10, 30), Latency.fixed(2), 1, 3, 1,
                Retries.deployed(), mode, Config.ALL_AT_SERVER, 0.5, 1_000, 30_000, 7);
    }

    @Test
    void oneClientNeverConflictsAndCommitsOncePerCommandTime() {
        for (Mode mode : Mode.values()) {
            Prediction alone = CapacityModel.predict(fixed(mode, 1, 1));

            assertThat(alone.conflicts()).as(mode.name()).isZero();
            assertThat(alone.rejected()).as(mode.name()).isZero();
            assertThat(alone.commitsPerSecond()).as(mode.name()).isCloseTo(1000.0 / 25, within(1.0 / 60));
            assertThat(alone.p50Ms()).as(mode.name()).isEqualTo(25.0);
            assertThat(alone.p99Ms()).as(mode.name()).isEqualTo(25.0);
        }
    }

    @Test
    void oneShardConflictsMoreAsClientsGrow() {
        for (Mode mode : Mode.values()) {
            double one = CapacityModel.predict(spread(mode, 1, 1)).conflictsPerAttempt();
            double four = CapacityModel.predict(spread(mode, 4, 1)).conflictsPerAttempt();
            double sixteen = CapacityModel.predict(spread(mode, 16, 1)).conflictsPerAttempt();

            assertThat(one).as(mode.name()).isZero();
            assertThat(four).as(mode.name()).isGreaterThan(one);
            assertThat(sixteen).as(mode.name()).isGreaterThan(four);
        }
    }

    @Test
    void moreShardsSpreadTheSameClientsAndConflictLess() {
        double one = CapacityModel.predict(spread(Mode.AWS, 64, 1)).conflictsPerAttempt();
        double four = CapacityModel.predict(spread(Mode.AWS, 64, 4)).conflictsPerAttempt();
        double sixteen = CapacityModel.predict(spread(Mode.AWS, 64, 16)).conflictsPerAttempt();
        double sixtyFour = CapacityModel.predict(spread(Mode.AWS, 64, 64)).conflictsPerAttempt();

        assertThat(four).isLessThan(one);
        assertThat(sixteen).isLessThan(four);
        assertThat(sixtyFour).isLessThan(sixteen);
    }

    @Test
    void moreShardsCommitMoreUnderContention() {
        Prediction one = CapacityModel.predict(spread(Mode.AWS, 64, 1));
        Prediction sixteen = CapacityModel.predict(spread(Mode.AWS, 64, 16));

        assertThat(sixteen.commitsPerSecond()).isGreaterThan(2 * one.commitsPerSecond());
    }

    @Test
    void onlyTheAwsModeHasTransactionsCancelledWhileAnotherIsInFlight() {
        Prediction aws = CapacityModel.predict(spread(Mode.AWS, 16, 1));
        Prediction emulator = CapacityModel.predict(spread(Mode.EMULATOR, 16, 1));

        assertThat(aws.transactionConflicts()).isPositive();
        assertThat(emulator.transactionConflicts()).isZero();
        assertThat(emulator.conflicts()).isPositive();
    }

    @Test
    void aShardedAccountsCommandReadsOnlyThePickedShardsHeadOnceItsContainerKnowsTheCount() {
        for (Mode mode : Mode.values()) {
            Prediction unsharded = CapacityModel.predict(fixed(mode, 1, 1));
            Prediction sharded = CapacityModel.predict(fixed(mode, 1, 16));

            assertThat(unsharded.getItemsPerAttempt()).as(mode.name()).isEqualTo(3.0);
            assertThat(sharded.getItemsPerAttempt()).as(mode.name()).isEqualTo(3.0);
            // Shard 0 is read and written by the commands that pick it, about one in 16.
            assertThat((double) sharded.ownStreamReads() / sharded.attempts()).as(mode.name())
                    .isCloseTo(1.0 / 16, within(0.02));
            assertThat((double) sharded.ownStreamCommits() / sharded.attempts()).as(mode.name())
                    .isCloseTo(1.0 / 16, within(0.02));
            // Alone, a command takes the same 25 ms on any number of shards.
            assertThat(sharded.p50Ms()).as(mode.name()).isEqualTo(unsharded.p50Ms());
            assertThat(sharded.commitsPerSecond()).as(mode.name())
                    .isCloseTo(unsharded.commitsPerSecond(), within(0.5));
        }
    }

    @Test
    void consecutiveIdsSpreadOverTheShardsAndCollideLessThanRandomPicks() {
        Config uniform = spread(Mode.EMULATOR, 16, 16);

        Prediction random = CapacityModel.predict(uniform);
        Prediction sequential = CapacityModel.predict(uniform.withPick(ShardPick.SEQUENTIAL_IDS));

        assertThat(sequential.conflictsPerAttempt()).isLessThan(random.conflictsPerAttempt() / 2);
    }

    @Test
    void theEmulatorsSingleServerCapsThroughputWhateverTheClients() {
        // Every request queues at one server: 3 reads of 4 ms (the hot one of the picked shard) and a
        // 10 ms write are 22 ms of service per attempt, so however many clients there are, the server
        // finishes 1000 / 22 attempts a second (busy all the time) and commits no more than that.
        Prediction many = CapacityModel.predict(fixed(Mode.EMULATOR, 64, 64));

        double attemptsPerSecond = many.attempts() / 60.0;
        assertThat(attemptsPerSecond).isCloseTo(1000.0 / 22, within(1.0));
        assertThat(many.commitsPerSecond()).isLessThan(attemptsPerSecond);
    }

    @Test
    void requestsSpendingLessOfTheirTimeAtTheEmulatorsServerLetMoreClientsThrough() {
        Config whole = fixed(Mode.EMULATOR, 16, 16);
        Config half = new Config(16, 16, Latency.fixed(4), Latency.fixed(10), Latency.fixed(2), 1, 3, 1,
                Retries.deployed(), Mode.EMULATOR, new double[] {0.5, 0.5}, 0.5, 1_000, 60_000, 42);

        assertThat(CapacityModel.predict(half).attempts()).isGreaterThan(CapacityModel.predict(whole).attempts());
    }

    @Test
    void aCommandIsRefusedOnlyOnceItsTwoSecondBudgetIsSpent() {
        Prediction crowded = CapacityModel.predict(spread(Mode.AWS, 256, 1));

        assertThat(crowded.rejected()).isPositive();
        assertThat(crowded.rejectedShare()).isGreaterThan(0.01);
        // A refused command answered after its budget: 2 s since its first attempt, plus its overhead.
        assertThat(crowded.p99Ms()).isGreaterThanOrEqualTo(2_000);
    }

    @Test
    void thePauseAfterALostRaceDoublesFromFiveMillisecondsToAHundredAndNeverPassesTheBudget() {
        Retries deployed = Retries.deployed();
        RandomGenerator highest = new RandomGenerator() {
            @Override
            public long nextLong() {
                return -1;
            }

            @Override
            public double nextDouble() {
                return 1;
            }
        };

        assertThat(deployed.pauseMs(1, 0, highest)).isEqualTo(5);
        assertThat(deployed.pauseMs(2, 0, highest)).isEqualTo(10);
        assertThat(deployed.pauseMs(6, 0, highest)).isEqualTo(100);
        assertThat(deployed.pauseMs(7, 1_950, highest)).isEqualTo(50);
        assertThat(deployed.pauseMs(8, 2_000, highest)).isNegative();
        assertThat(deployed.pauseMs(64, 0, highest)).isNegative();
    }

    @Test
    void theSameSeedGivesTheSamePrediction() {
        assertThat(CapacityModel.predict(spread(Mode.AWS, 16, 4)))
                .isEqualTo(CapacityModel.predict(spread(Mode.AWS, 16, 4)));
        assertThat(CapacityModel.predict(spread(Mode.AWS, 16, 4)))
                .isNotEqualTo(CapacityModel.predict(spread(Mode.AWS, 16, 4).withSeed(8)));
    }
}
