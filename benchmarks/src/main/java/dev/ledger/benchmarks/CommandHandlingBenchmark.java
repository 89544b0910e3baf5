package dev.ledger.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link CommandHandlingJmh} with JMH (throughput, one thread, one fork) and writes its
 * figures as a table, each beside the fold baseline measured in the same fork.
 *
 * <p>Arguments: results file, warm-up iterations (default 3), measurement iterations (default 5),
 * seconds per iteration (default 2).
 */
public final class CommandHandlingBenchmark {

    private CommandHandlingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        Options options = new OptionsBuilder()
                .include(CommandHandlingJmh.class.getName() + "\\.")
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(seconds))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(seconds))
                .forks(1).threads(1)
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Results.append(args, report(results, warmups, iterations, seconds));
    }

    private static String report(Collection<RunResult> results, int warmups, int iterations, int seconds) {
        List<RunResult> sorted = new ArrayList<>(results);
        sorted.sort((a, b) -> Double.compare(a.getPrimaryResult().getScore(), b.getPrimaryResult().getScore()));
        double fold = sorted.stream().filter(r -> label(r).equals("accountFold")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the fold baseline did not run")).getPrimaryResult()
                .getScore();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "JMH %s, throughput mode, 1 thread, 1 fork (JVM defaults), %d warm-up"
                        + " x %d s, %d measurement x %d s; error = the 99.9%% confidence half-width JMH reports."
                        + " The ledger's unit of work over a log in memory: no I/O, nothing appended, so every call"
                        + " decides the same transfer from the same state (transfer and account aggregates through"
                        + " Axon's annotated model, 3 stream lookups, 3 events and their states). Baselines in the"
                        + " same fork: one account fold (`AccountState.evolve`, what a replay does per event) and one"
                        + " `Money.plus`.%n%n", org.openjdk.jmh.util.Version.getPlainVersion(),
                warmups, seconds, iterations, seconds));
        out.append("| benchmark | ops/s | error (±) | account folds per op |\n|---|---:|---:|---:|\n");
        for (RunResult result : sorted) {
            Result<?> primary = result.getPrimaryResult();
            out.append(String.format(Locale.ROOT, "| %s | **%,.0f** | %,.0f | %.1f |%n", describe(label(result)),
                    primary.getScore(), primary.getScoreError(), fold / primary.getScore()));
        }
        return out.toString();
    }

    private static String label(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    private static String describe(String label) {
        return switch (label) {
            case "transfer" -> "posted transfer: Ledger.transfer through the Axon aggregates (commands/s)";
            case "transferEncodedForTheStore" -> "posted transfer + its 3 events encoded and hash-chained for the store";
            case "accountFold" -> "baseline: AccountState.evolve (one EntryPosted)";
            case "moneyPlus" -> "baseline: Money.plus";
            default -> label;
        };
    }
}
