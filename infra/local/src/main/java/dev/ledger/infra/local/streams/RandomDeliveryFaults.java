package dev.ledger.infra.local.streams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Faults drawn from a seeded random source: the same seed and the same sequence of batches give
 * the same faults. Each batch independently: with probability {@code duplicateRate} some of its
 * records are delivered twice, with {@code crashRate} the poller crashes after the function got a
 * random prefix of the batch (possibly all or none of it), with {@code delayRate} it is held back
 * up to {@code maxDelay}. Only first attempts crash (a retry after a function error does not), and
 * each delivery after a crash draws again, so every batch goes through in the end.
 */
public final class RandomDeliveryFaults implements DeliveryFaults {

    private final SplittableRandom random;
    private final double duplicateRate;
    private final double crashRate;
    private final double delayRate;
    private final Duration maxDelay;

    public RandomDeliveryFaults(long seed, double duplicateRate, double crashRate, double delayRate, Duration maxDelay) {
        for (double rate : new double[] {duplicateRate, crashRate, delayRate}) {
            if (rate < 0 || rate > 1) {
                throw new IllegalArgumentException("A rate is between 0 and 1, not " + rate);
            }
        }
        this.random = new SplittableRandom(seed);
        this.duplicateRate = duplicateRate;
        this.crashRate = crashRate;
        this.delayRate = delayRate;
        this.maxDelay = maxDelay;
    }

    @Override
    public synchronized Delivery decide(Batch batch) {
        int size = batch.sequenceNumbers().size();
        List<Integer> duplicates = new ArrayList<>();
        if (size > 0 && random.nextDouble() < duplicateRate) {
            int count = 1 + random.nextInt(Math.max(1, size / 4));
            for (int i = 0; i < count; i++) {
                int index = random.nextInt(size);
                if (!duplicates.contains(index)) {
                    duplicates.add(index);
                }
            }
            duplicates.sort(null);
        }
        int crashAfter = -1;
        if (batch.attempt() == 1 && random.nextDouble() < crashRate) {
            crashAfter = random.nextInt(size + 1);
        }
        Duration delay = Duration.ZERO;
        if (!maxDelay.isZero() && random.nextDouble() < delayRate) {
            delay = Duration.ofMillis(1 + random.nextLong(Math.max(1, maxDelay.toMillis())));
        }
        return new Delivery(duplicates, crashAfter, delay);
    }
}
