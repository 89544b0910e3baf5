package dev.ledger.benchmarks.capacity;

import dev.ledger.domain.api.AccountShards;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A discrete-event model of C command Lambdas in a closed loop (each sends its next payment when the
 * previous one is answered) against one hot account split into N shards (N independent streams).
 *
 * <p>A command: its overhead outside DynamoDB (HTTP, Lambda, parsing), then each attempt reads the
 * stream heads it touches with consistent GetItems one after the other (a transfer: its own new
 * stream, the debit account, the credit account; the hot account is one of them), decides, and
 * commits with one TransactWriteItems conditioned on each head's version. Only the hot account's
 * head is contended (the other streams are the command's own). A lost race is retried after a
 * backoff ({@link Retries}); past its budget the command answers 409.
 *
 * <p>Sharded (N > 1), as {@code ShardedAccounts} does it in a warm Lambda: the command picks a shard
 * from a hash of its id ({@link ShardPick}), the next one on each lost race, and its read of the hot
 * account is of that shard's head alone, since the container remembers the account's shard count
 * ({@code RememberedShardCounts}, read again from shard 0 once a minute per container, which the model
 * leaves out). Shard 0 is read and written only by the commands that pick it
 * ({@link Prediction#ownStreamReads()}).
 *
 * <p>When a commit loses, by {@link Mode}:
 * <ul>
 *   <li>{@link Mode#EMULATOR}: moto serves one request at a time (one Python process; the launcher
 *       also runs transactions under one lock), so every DynamoDB request queues at a single FIFO
 *       server whose service times are the measured latencies. A transaction's condition is checked
 *       and applied when the server finishes it: it loses iff another commit on the same shard head
 *       landed after this command's read of that head was served. No transaction is ever in flight
 *       beside another, so there is no TransactionConflict.
 *   <li>{@link Mode#AWS}: every request is served in parallel (DynamoDB scales out; the per-partition
 *       ceiling is checked beside the model, not inside it). A transaction reaches the item a one-way
 *       network time after it is sent and commits a one-way time before its answer; at arrival it is
 *       cancelled with ConditionalCheckFailed if the head's version moved since this command read it,
 *       or with TransactionConflict if another transaction on the same head is prepared and not yet
 *       committed (that other one holds the item; the newcomer loses). A cancelled transaction is
 *       answered after its full sampled latency (conservative). GetItem is never blocked: it reads
 *       the last committed version.
 * </ul>
 *
 * <p>Deterministic: one seeded {@link SplittableRandom}, simulated time only, ties broken by the
 * order events were scheduled.
 */
final class CapacityModel {

    /** Which conflict behaviour, and whether DynamoDB requests queue at one server. */
    public enum Mode { EMULATOR, AWS }

    /** How a command's first shard is chosen. */
    public enum ShardPick {
        /** Uniformly at random: clients whose ids have no pattern (the AWS predictions). */
        UNIFORM,
        /**
         * {@code AccountShards.pick} of the ids the local run sends, {@code cap-1}, {@code cap-2}, ... in the
         * order commands start: the Fibonacci hash spreads consecutive ids evenly over the shards, so
         * commands in flight together rarely share one.
         */
        SEQUENTIAL_IDS
    }

    /**
     * @param clients          C, concurrent command Lambdas (closed loop)
     * @param shards           N, shards of the hot account
     * @param getItem          one consistent GetItem of a head
     * @param transactWrite    one TransactWriteItems of the command's items (6 for a transfer)
     * @param commandOverhead  time per command outside DynamoDB (API, Lambda, parsing, answer)
     * @param decideMs         time per attempt between the last read and the write (the domain's decision)
     * @param reads            GetItems per attempt, one after the other, on an unsharded account
     * @param hotRead          which of them (0-based) reads the hot account's own head (shard 0)
     * @param retries          backoff and give-up rule
     * @param mode             conflict behaviour
     * @param serverShare      emulator mode: the part of each request's latency spent at moto's single
     *                         server (the rest, half before and half after, is the client's and runs in
     *                         parallel); 1 = all of it. Measured by the probe as (1 / saturated rate) /
     *                         mean latency, per kind of request: {@code [getItem, transactWrite]}
     * @param networkOneWayMs  AWS mode: client to DynamoDB one way (capped at a quarter of the request)
     * @param warmupMs         simulated time before measuring
     * @param measureMs        simulated time measured
     * @param seed             the random source's seed
     * @param pick             how a command's first shard is chosen
     */
    public record Config(int clients, int shards, Latency getItem, Latency transactWrite, Latency commandOverhead,
                         double decideMs, int reads, int hotRead, Retries retries, Mode mode, double[] serverShare,
                         double networkOneWayMs, double warmupMs, double measureMs, long seed, ShardPick pick) {

        /** Shards picked {@link ShardPick#UNIFORM uniformly}. */
        public Config(int clients, int shards, Latency getItem, Latency transactWrite, Latency commandOverhead,
                      double decideMs, int reads, int hotRead, Retries retries, Mode mode, double[] serverShare,
                      double networkOneWayMs, double warmupMs, double measureMs, long seed) {
            this(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries, mode,
                    serverShare, networkOneWayMs, warmupMs, measureMs, seed, ShardPick.UNIFORM);
        }

        public Config {
            if (clients < 1 || shards < 1 || reads < 1 || hotRead < 0 || hotRead >= reads || measureMs <= 0) {
                throw new IllegalArgumentException("not a model: " + clients + " clients, " + shards + " shards, "
                        + reads + " reads, hot read " + hotRead + ", " + measureMs + " ms measured");
            }
            Objects.requireNonNull(getItem);
            Objects.requireNonNull(transactWrite);
            Objects.requireNonNull(commandOverhead);
            Objects.requireNonNull(retries);
            Objects.requireNonNull(mode);
            Objects.requireNonNull(pick);
            if (serverShare.length != 2 || serverShare[0] < 0 || serverShare[0] > 1 || serverShare[1] < 0
                    || serverShare[1] > 1) {
                throw new IllegalArgumentException("server shares are two fractions: " + Arrays.toString(serverShare));
            }
            serverShare = serverShare.clone();
        }

        /** Every request's whole latency is time at the emulator's server. */
        public static final double[] ALL_AT_SERVER = {1, 1};

        @Override
        public double[] serverShare() {
            return serverShare.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Config c && clients == c.clients && shards == c.shards && getItem.equals(c.getItem)
                    && transactWrite.equals(c.transactWrite) && commandOverhead.equals(c.commandOverhead)
                    && decideMs == c.decideMs && reads == c.reads && hotRead == c.hotRead && retries.equals(c.retries)
                    && mode == c.mode && Arrays.equals(serverShare, c.serverShare) && networkOneWayMs == c.networkOneWayMs
                    && warmupMs == c.warmupMs && measureMs == c.measureMs && seed == c.seed && pick == c.pick;
        }

        @Override
        public int hashCode() {
            return Objects.hash(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead,
                    retries, mode, Arrays.hashCode(serverShare), networkOneWayMs, warmupMs, measureMs, seed, pick);
        }

        public Config withClients(int value) {
            return new Config(value, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    mode, serverShare, networkOneWayMs, warmupMs, measureMs, seed, pick);
        }

        public Config withShards(int value) {
            return new Config(clients, value, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    mode, serverShare, networkOneWayMs, warmupMs, measureMs, seed, pick);
        }

        public Config withRetries(Retries value) {
            return new Config(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, value,
                    mode, serverShare, networkOneWayMs, warmupMs, measureMs, seed, pick);
        }

        public Config withMode(Mode value) {
            return new Config(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    value, serverShare, networkOneWayMs, warmupMs, measureMs, seed, pick);
        }

        public Config withTimes(double warmup, double measure) {
            return new Config(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    mode, serverShare, networkOneWayMs, warmup, measure, seed, pick);
        }

        public Config withPick(ShardPick value) {
            return new Config(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    mode, serverShare, networkOneWayMs, warmupMs, measureMs, seed, value);
        }

        public Config withSeed(long value) {
            return new Config(clients, shards, getItem, transactWrite, commandOverhead, decideMs, reads, hotRead, retries,
                    mode, serverShare, networkOneWayMs, warmupMs, measureMs, value, pick);
        }
    }

    /**
     * What the model predicts over the measured window.
     *
     * @param commitsPerSecond    commands committed per second
     * @param attempts            transactions sent
     * @param conflicts           transactions that lost (condition failed or TransactionConflict)
     * @param transactionConflicts of those, TransactionConflict (AWS mode only)
     * @param commands            commands answered (committed or 409)
     * @param rejected            commands answered 409 after the retry budget
     * @param p50Ms               median command latency (committed and 409 alike)
     * @param p99Ms               99th percentile command latency
     * @param getItems            consistent GetItems sent (every attempt's reads)
     * @param ownStreamReads      of them, reads of the hot account's own stream head (shard 0): one per attempt
     * @param ownStreamCommits    commits on shard 0 (all of them when N = 1)
     */
    public record Prediction(double commitsPerSecond, long attempts, long conflicts, long transactionConflicts,
                             long commands, long rejected, double p50Ms, double p99Ms, long getItems,
                             long ownStreamReads, long ownStreamCommits) {

        public double getItemsPerAttempt() {
            return attempts == 0 ? 0 : (double) getItems / attempts;
        }

        public double conflictsPerAttempt() {
            return attempts == 0 ? 0 : (double) conflicts / attempts;
        }

        public double conflictsPerCommand() {
            return commands == 0 ? 0 : (double) conflicts / commands;
        }

        public double rejectedShare() {
            return commands == 0 ? 0 : (double) rejected / commands;
        }
    }

    private final Config config;
    private final RandomGenerator random;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final long[] versions;
    private final int[] prepared;
    private long sequence;
    private long commandIds;
    private double now;
    private double serverFreeAt;

    private long commits;
    private long attempts;
    private long conflicts;
    private long transactionConflicts;
    private long commands;
    private long rejected;
    private long getItems;
    private long ownStreamReads;
    private long ownStreamCommits;
    private final List<Double> latencies = new ArrayList<>();

    private CapacityModel(Config config) {
        this.config = config;
        this.random = new SplittableRandom(config.seed());
        this.versions = new long[config.shards()];
        this.prepared = new int[config.shards()];
    }

    /** Runs the model and returns its prediction. */
    public static Prediction predict(Config config) {
        return new CapacityModel(config).run();
    }

    private Prediction run() {
        double end = config.warmupMs() + config.measureMs();
        for (int client = 0; client < config.clients(); client++) {
            // Clients start spread over one command's worth of time, not all at the same instant.
            startCommand(random.nextDouble() * config.getItem().mean());
        }
        while (!events.isEmpty() && events.peek().time <= end) {
            Event next = events.poll();
            now = next.time;
            next.action.run();
        }
        double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Prediction(commits / (config.measureMs() / 1000.0), attempts, conflicts, transactionConflicts,
                commands, rejected, Percentiles.of(sorted, 50), Percentiles.of(sorted, 99), getItems, ownStreamReads,
                ownStreamCommits);
    }

    private boolean measuring() {
        return now >= config.warmupMs();
    }

    private void at(double time, Runnable action) {
        events.add(new Event(time, sequence++, action));
    }

    /** One command of one client, from its arrival to its answer. */
    private final class Command {
        final double began;
        double firstAttempt = Double.NaN;
        int shard;
        int lost;
        long seenVersion;

        Command(double began) {
            this.began = began;
            this.shard = config.pick() == ShardPick.UNIFORM ? random.nextInt(config.shards())
                    : AccountShards.pick("cap-" + (++commandIds), 1, config.shards());
        }

        void attempt() {
            if (Double.isNaN(firstAttempt)) {
                firstAttempt = now;
            }
            read(0);
        }

        /** This attempt's reads: the configured ones, the hot one of the picked shard's head. */
        int reads() {
            return config.reads();
        }

        /** Which read gives the head the commit is conditioned on: the picked shard's. */
        int conditionRead() {
            return config.hotRead();
        }

        void read(int index) {
            if (index == reads()) {
                at(now + config.decideMs(), this::write);
                return;
            }
            if (measuring()) {
                getItems++;
                if (index == config.hotRead() && shard == 0) {
                    ownStreamReads++;
                }
            }
            double service = config.getItem().sample(random);
            Runnable served = () -> {
                if (index == conditionRead()) {
                    seenVersion = versions[shard];
                }
            };
            if (config.mode() == Mode.EMULATOR) {
                atServer(service, config.serverShare()[0], served, () -> read(index + 1));
            } else {
                at(now + service - network(service), served);
                at(now + service, () -> read(index + 1));
            }
        }

        void write() {
            double service = config.transactWrite().sample(random);
            if (config.mode() == Mode.EMULATOR) {
                boolean[] won = new boolean[1];
                atServer(service, config.serverShare()[1], () -> {
                    won[0] = versions[shard] == seenVersion;
                    if (won[0]) {
                        versions[shard]++;
                    }
                }, () -> answered(won[0], false));
            } else {
                double oneWay = network(service);
                double sent = now;
                at(sent + oneWay, () -> {
                    if (versions[shard] != seenVersion) {
                        at(sent + service, () -> answered(false, false));
                    } else if (prepared[shard] > 0) {
                        at(sent + service, () -> answered(false, true));
                    } else {
                        prepared[shard]++;
                        at(sent + service - oneWay, () -> {
                            prepared[shard]--;
                            versions[shard]++;
                        });
                        at(sent + service, () -> answered(true, false));
                    }
                });
            }
        }

        void answered(boolean won, boolean transactionConflict) {
            if (measuring()) {
                attempts++;
            }
            if (won) {
                if (measuring()) {
                    commits++;
                    if (shard == 0) {
                        ownStreamCommits++;
                    }
                }
                finish(now, false);
                return;
            }
            lost++;
            if (measuring()) {
                conflicts++;
                if (transactionConflict) {
                    transactionConflicts++;
                }
            }
            double pause = config.retries().pauseMs(lost, now - firstAttempt, random);
            if (pause < 0) {
                finish(now, true);
                return;
            }
            shard = (shard + 1) % config.shards();
            at(now + pause, this::attempt);
        }

        void finish(double at, boolean refused) {
            if (measuring()) {
                commands++;
                if (refused) {
                    rejected++;
                }
                latencies.add(at - began);
            }
            startCommand(at);
        }
    }

    private void startCommand(double arrival) {
        Command command = new Command(arrival);
        at(arrival + config.commandOverhead().sample(random), command::attempt);
    }

    /**
     * One emulator request of {@code latencyMs}: the client's part (half before, half after) runs in
     * parallel; the server's part queues at the single server, and {@code effect} happens when the
     * server finishes it; {@code then} when the answer is back.
     */
    private void atServer(double latencyMs, double share, Runnable effect, Runnable then) {
        double clientHalf = latencyMs * (1 - share) / 2;
        at(now + clientHalf, () -> {
            double done = serve(latencyMs * share);
            at(done, () -> {
                effect.run();
                at(now + clientHalf, then);
            });
        });
    }

    /** The single emulator server: a request arriving now finishes after the queue ahead of it. */
    private double serve(double service) {
        double start = Math.max(now, serverFreeAt);
        serverFreeAt = start + service;
        return serverFreeAt;
    }

    private double network(double requestMs) {
        return Math.min(config.networkOneWayMs(), requestMs / 4);
    }

    private record Event(double time, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Double.compare(time, other.time);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
