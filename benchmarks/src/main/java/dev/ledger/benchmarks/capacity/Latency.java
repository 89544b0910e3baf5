package dev.ledger.benchmarks.capacity;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * A per-request latency distribution in milliseconds, sampled with the model's own random source:
 * either measured (the emulator's latencies, drawn uniformly from the samples) or assumed (a
 * log-normal fitted to a median and a 99th percentile, the shape service latencies usually have).
 */
sealed interface Latency {

    double sample(RandomGenerator random);

    double mean();

    double percentile(double p);

    /** A constant: every request takes {@code ms}. */
    static Latency fixed(double ms) {
        return new Fixed(ms);
    }

    /** Draws uniformly from measured samples (milliseconds). */
    static Latency measured(double[] samplesMs) {
        if (samplesMs.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] sorted = samplesMs.clone();
        Arrays.sort(sorted);
        return new Measured(sorted);
    }

    /** The log-normal with this median and 99th percentile (milliseconds). */
    static Latency logNormal(double p50Ms, double p99Ms) {
        if (!(p50Ms > 0 && p99Ms >= p50Ms)) {
            throw new IllegalArgumentException("need 0 < p50 <= p99, got " + p50Ms + ", " + p99Ms);
        }
        double z99 = 2.3263478740408408;
        return new LogNormal(Math.log(p50Ms), Math.log(p99Ms / p50Ms) / z99, p50Ms, p99Ms);
    }

    String describe();

    record Fixed(double ms) implements Latency {
        @Override
        public double sample(RandomGenerator random) {
            return ms;
        }

        @Override
        public double mean() {
            return ms;
        }

        @Override
        public double percentile(double p) {
            return ms;
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "fixed %.2f ms", ms);
        }
    }

    record Measured(double[] sorted) implements Latency {
        @Override
        public double sample(RandomGenerator random) {
            return sorted[random.nextInt(sorted.length)];
        }

        @Override
        public double mean() {
            return Arrays.stream(sorted).average().orElseThrow();
        }

        @Override
        public double percentile(double p) {
            return Percentiles.of(sorted, p);
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "measured, %d samples: mean %.2f, p50 %.2f, p99 %.2f ms", sorted.length,
                    mean(), percentile(50), percentile(99));
        }
    }

    record LogNormal(double mu, double sigma, double p50Ms, double p99Ms) implements Latency {
        @Override
        public double sample(RandomGenerator random) {
            return Math.exp(mu + sigma * random.nextGaussian());
        }

        @Override
        public double mean() {
            return Math.exp(mu + sigma * sigma / 2);
        }

        @Override
        public double percentile(double p) {
            return p == 50 ? p50Ms : p == 99 ? p99Ms : Math.exp(mu + sigma * Percentiles.normalQuantile(p / 100));
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "log-normal, p50 %.1f ms, p99 %.1f ms (mean %.1f)", p50Ms, p99Ms, mean());
        }
    }
}
