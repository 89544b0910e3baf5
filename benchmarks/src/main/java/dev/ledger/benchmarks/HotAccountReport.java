package dev.ledger.benchmarks;

import dev.ledger.benchmarks.HotAccountBenchmark.Layout;
import dev.ledger.benchmarks.HotAccountBenchmark.Run;
import dev.ledger.domain.api.AccountShards;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** The hot-account benchmark's markdown: every run, each layout's medians, the ratios, and how the shards were picked. */
final class HotAccountReport {

    private static final String[] STATUSES = {"201", "409", "422", "5xx", "other", "no answer"};

    private HotAccountReport() {
    }

    static String markdown(List<Run> runs, int rounds) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%d concurrent clients send %d payments of 1.00 EUR to %d customers per run,"
                        + " each payment once (a 409 is counted, not sent again); payments/s = 201 answers per second of"
                        + " the run's wall time. One emulator and one local stack for every run; each run opens its own"
                        + " accounts; %d rounds, the layouts alternating and each round starting one layout later, after"
                        + " one unreported warm-up run (spread). Conflicts = the command handler's `append_conflict` EMF"
                        + " lines (`appendConflicts`), one per race a command lost and retried inside the handler,"
                        + " counted on the stack's standard output during the run.%n%n",
                HotAccountBenchmark.CLIENTS, HotAccountBenchmark.PAYMENTS, HotAccountBenchmark.CUSTOMERS, rounds));
        for (Layout layout : Layout.values()) {
            out.append("- `").append(layout.label).append("`: ").append(layout.description).append('\n');
        }
        out.append("\n## Medians by layout\n\n");
        out.append("| layout | payments/s | 201 | 409 | 422 | 5xx | other/no answer | conflicts retried in the command"
                + " | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Layout layout : Layout.values()) {
            List<Run> of = of(runs, layout);
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %s | %s | %s | %s | %s | %.0f | %.0f |%n",
                    layout.label, median(of, Run::paymentsPerSecond), medianCount(of, r -> r.statuses()[0]),
                    medianCount(of, r -> r.statuses()[1]), medianCount(of, r -> r.statuses()[2]),
                    medianCount(of, r -> r.statuses()[3]), medianCount(of, r -> r.statuses()[4] + r.statuses()[5]),
                    medianCount(of, Run::conflicts), median(of, Run::p50Millis), median(of, Run::p99Millis)));
        }
        double spread = median(of(runs, Layout.SPREAD), Run::paymentsPerSecond);
        double hot16 = median(of(runs, Layout.HOT_16), Run::paymentsPerSecond);
        double hot1 = median(of(runs, Layout.HOT_1), Run::paymentsPerSecond);
        long hot16Refusals = of(runs, Layout.HOT_16).stream()
                .mapToLong(r -> r.statuses()[1] + r.statuses()[3] + r.statuses()[5]).sum();
        boolean met = hot16 / spread >= 0.8 && hot16Refusals == 0;
        out.append(String.format(Locale.ROOT, "%nhot-16 / spread = **%.2f** (target >= 0.80, with no 409, 5xx or"
                        + " unanswered request in any hot-16 run: %d of them): target **%s**. hot-1 / spread = %.2f;"
                        + " hot-16 / hot-1 = %.2f. Per round, hot-16 / spread: %s.%n",
                hot16 / spread, hot16Refusals, met ? "met" : "missed", hot1 / spread, hot16 / hot1, perRound(runs)));

        out.append("\n## Every run\n\n| round | layout | wall s | payments/s | 201 | 409 | 422 | 5xx | other | no answer"
                + " | conflicts | p50 ms | p99 ms | funding balance from a command answer |\n"
                + "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run run : runs) {
            long[] s = run.statuses();
            out.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %d | %d | %d | %d | %d | %d | %d | %.0f"
                            + " | %.0f | %s |%n", run.round(), run.layout().label, run.seconds(), run.paymentsPerSecond(),
                    s[0], s[1], s[2], s[3], s[4], s[5], run.conflicts(), run.p50Millis(), run.p99Millis(),
                    run.fundingCheck()));
        }
        out.append(shardPicks(runs, rounds));
        return out.toString();
    }

    /**
     * How well {@link AccountShards#pick} spreads the ids a hot-16 run sends: the distinct first shards
     * of each block of 16 consecutive ids (about the payments in flight at once), beside 16 ids thrown
     * at 16 shards at random; and, measured, how many
     * payments were sent while another in flight had the same first shard.
     */
    private static String shardPicks(List<Run> runs, int rounds) {
        int n = HotAccountBenchmark.SHARDS;
        List<Double> current = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            String tag = Layout.HOT_16.label + "-r" + round;
            current.add(meanDistinct(tag, id -> AccountShards.pick(id, 1, n)));
        }
        double random = n * (1 - Math.pow((n - 1.0) / n, n));
        StringBuilder clashes = new StringBuilder();
        for (Run run : of(runs, Layout.HOT_16)) {
            clashes.append(clashes.length() == 0 ? "" : ", ").append(run.firstPickClashes());
        }
        return String.format(Locale.ROOT, "%n## How the shards were picked (hot-16)%n%n"
                        + "| first shard of 16 consecutive payment ids | distinct shards per block of 16, mean (per round) |%n"
                        + "|---|---|%n| `AccountShards.pick` (the high bits of `hashCode * 0x9E3779B9`, scaled to 16) | %s |%n"
                        + "| 16 ids thrown at 16 shards uniformly at random (expected) | %.2f |%n%n"
                        + "Payments sent while another payment in flight (from its send to its answer, as the client sees it) had the"
                        + " same first shard, per hot-16 run: %s of %d; only those whose reads and append overlapped"
                        + " on the shard lost a race (the conflicts above).%n",
                format(current), random, clashes, HotAccountBenchmark.PAYMENTS);
    }

    interface Pick {
        int shard(String id);
    }

    private static double meanDistinct(String tag, Pick pick) {
        int blocks = HotAccountBenchmark.PAYMENTS / HotAccountBenchmark.CLIENTS;
        long distinct = 0;
        for (int b = 0; b < blocks; b++) {
            Set<Integer> shards = new HashSet<>();
            for (int i = b * HotAccountBenchmark.CLIENTS; i < (b + 1) * HotAccountBenchmark.CLIENTS; i++) {
                shards.add(pick.shard(tag + "-p" + i));
            }
            distinct += shards.size();
        }
        return (double) distinct / blocks;
    }

    private static String perRound(List<Run> runs) {
        List<String> ratios = new ArrayList<>();
        int rounds = runs.stream().mapToInt(Run::round).max().orElse(0);
        for (int round = 1; round <= rounds; round++) {
            int r = round;
            double spread = runs.stream().filter(x -> x.round() == r && x.layout() == Layout.SPREAD)
                    .mapToDouble(Run::paymentsPerSecond).findFirst().orElse(Double.NaN);
            double hot = runs.stream().filter(x -> x.round() == r && x.layout() == Layout.HOT_16)
                    .mapToDouble(Run::paymentsPerSecond).findFirst().orElse(Double.NaN);
            ratios.add(String.format(Locale.ROOT, "%.2f", hot / spread));
        }
        return String.join(", ", ratios);
    }

    private static List<Run> of(List<Run> runs, Layout layout) {
        return runs.stream().filter(r -> r.layout() == layout).toList();
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }

    /** The median count, with every run's count after it when they differ. */
    private static String medianCount(List<Run> runs, ToLongFunction<Run> value) {
        long[] values = runs.stream().mapToLong(value).toArray();
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        String median = Long.toString(sorted.length == 0 ? 0 : sorted[sorted.length / 2]);
        if (sorted.length == 0 || sorted[0] == sorted[sorted.length - 1]) {
            return median;
        }
        List<String> each = new ArrayList<>();
        for (long v : values) {
            each.add(Long.toString(v));
        }
        return median + " (" + String.join(", ", each) + ")";
    }

    private static String format(List<Double> values) {
        List<String> parts = new ArrayList<>();
        values.forEach(v -> parts.add(String.format(Locale.ROOT, "%.2f", v)));
        return String.join(", ", parts);
    }
}
