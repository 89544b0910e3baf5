package dev.ledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checkpoint's sort key orders by recorded time, then version, as DynamoDB orders numbers, and the seek's
 * bound for an instant sits above every checkpoint recorded at it and below every one recorded after.
 */
class CheckpointKeyTest {

    private static final Instant T = Instant.parse("2026-06-01T12:00:00.000000001Z");

    @Test
    void keysOrderByTimeThenVersionAcrossTheEpochAndTheLastInstant() {
        List<BigInteger> inOrder = List.of(
                key(Instant.MIN, 0), key(Instant.parse("1969-12-31T23:59:59.999999999Z"), 7), key(Instant.EPOCH, 0),
                key(Instant.EPOCH, 1), key(T, 99), key(T, 100), key(T.plusNanos(1), 1), key(Instant.MAX, 999_999_999_999L));

        assertThat(inOrder).isSortedAccordingTo(Comparator.naturalOrder());
        assertThat(inOrder.get(inOrder.size() - 1).abs().toString().length()).as("DynamoDB keeps 38 digits")
                .isLessThanOrEqualTo(38);
        assertThat(inOrder.get(0).abs().toString().length()).isLessThanOrEqualTo(38);
    }

    @Test
    void theSeekBoundTakesEveryCheckpointRecordedAtTheInstantAndNoneAfter() {
        BigInteger bound = new BigInteger(EventsTable.lastCheckpointSkAt(T));

        assertThat(key(T, 999_999_999_999L)).isLessThanOrEqualTo(bound);
        assertThat(key(T.plusNanos(1), 0)).isGreaterThan(bound);
    }

    @Test
    void aVersionPastTwelveDigitsHasNoKey() {
        assertThatThrownBy(() -> EventsTable.checkpointSk(T, 1_000_000_000_000L))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static BigInteger key(Instant at, long version) {
        return new BigInteger(EventsTable.checkpointSk(at, version));
    }
}
