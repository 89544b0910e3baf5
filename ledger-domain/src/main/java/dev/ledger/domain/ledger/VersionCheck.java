package dev.ledger.domain.ledger;

import dev.ledger.domain.api.StreamId;
import java.util.Objects;

/**
 * A stream a decision read and relied on without changing it: the append goes through only if the
 * stream still stands at {@code version} (0: it does not exist). A sharded account's refusal for
 * insufficient funds rests on every shard it read, so it is recorded only if none of them moved.
 */
public record VersionCheck(StreamId stream, long version) {

    public VersionCheck {
        Objects.requireNonNull(stream, "stream");
    }
}
