package dev.ledger.infra.local.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.local.streams.DeliveryFaults.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeliveryFaultsTest {

    private static final DeliveryFaults.Batch BATCH = new DeliveryFaults.Batch("m", "shard-0",
            IntStream.range(0, 20).mapToObj(Integer::toString).toList(), 1);

    @Test
    void the_same_seed_gives_the_same_faults() {
        assertThat(draw(new RandomDeliveryFaults(7, 0.3, 0.2, 0.1, Duration.ofMillis(50))))
                .isEqualTo(draw(new RandomDeliveryFaults(7, 0.3, 0.2, 0.1, Duration.ofMillis(50))))
                .isNotEqualTo(draw(new RandomDeliveryFaults(8, 0.3, 0.2, 0.1, Duration.ofMillis(50))));
    }

    @Test
    void draws_each_kind_of_fault_within_the_batch_and_crashes_only_first_attempts() {
        List<Delivery> deliveries = draw(new RandomDeliveryFaults(1, 0.5, 0.5, 0.5, Duration.ofMillis(50)));

        assertThat(deliveries).anyMatch(d -> !d.duplicates().isEmpty()).anyMatch(Delivery::crashes)
                .anyMatch(d -> !d.delay().isZero()).anyMatch(Delivery::isNormal);
        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.duplicates()).allSatisfy(i -> assertThat(i).isBetween(0, 19)).isSorted().doesNotHaveDuplicates();
            assertThat(d.crashAfterRecords()).isBetween(-1, 20);
            assertThat(d.delay()).isLessThanOrEqualTo(Duration.ofMillis(50));
        });
        RandomDeliveryFaults faults = new RandomDeliveryFaults(1, 0, 1, 0, Duration.ZERO);
        assertThat(faults.decide(BATCH).crashes()).isTrue();
        assertThat(faults.decide(new DeliveryFaults.Batch("m", "shard-0", BATCH.sequenceNumbers(), 2)).crashes()).isFalse();
    }

    @Test
    void no_faults_deliver_every_batch_once_on_time() {
        assertThat(DeliveryFaults.NONE.decide(BATCH).isNormal()).isTrue();
    }

    @Test
    void backoff_doubles_up_to_its_maximum() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

        assertThat(IntStream.rangeClosed(1, 6).mapToObj(backoff::delay).map(Duration::toMillis))
                .containsExactly(100L, 200L, 400L, 800L, 1000L, 1000L);
    }

    private static List<Delivery> draw(DeliveryFaults faults) {
        List<Delivery> deliveries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            deliveries.add(faults.decide(BATCH));
        }
        return deliveries;
    }
}
