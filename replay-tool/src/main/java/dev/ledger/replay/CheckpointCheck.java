package dev.ledger.replay;

import dev.ledger.domain.account.AccountState;
import dev.ledger.store.AccountCheckpoint;
import dev.ledger.store.StateCodec;
import dev.ledger.store.StoredEvent;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recomputes an account stream's checkpoints (issue 16 §3) from its events as {@code verify} folds them: each
 * must hold the state the events give at its version, name that event's hash and recorded time, and stand
 * after no event recorded later than itself. That last is what makes a balance as of an instant, which starts
 * from the last checkpoint recorded by then, equal to folding the stream from version 1.
 */
final class CheckpointCheck {

    private final String name;
    private final Findings findings;
    private final Map<Long, AccountCheckpoint> byVersion = new TreeMap<>();
    /** The latest recorded time of the events folded so far, and the version that carries it. */
    private Instant latest;
    private long latestVersion;

    CheckpointCheck(String name, Iterator<AccountCheckpoint> checkpoints, Findings findings) {
        this.name = name;
        this.findings = findings;
        checkpoints.forEachRemaining(checkpoint -> {
            if (byVersion.putIfAbsent(checkpoint.version(), checkpoint) != null) {
                findings.add(name, checkpoint.version(), "checkpoint", "two checkpoints at one version");
            }
        });
    }

    /** One event of the stream, in version order, with the state it leaves. */
    void accept(StoredEvent event, AccountState state) {
        if (latest == null || event.recordedAt().isAfter(latest)) {
            latest = event.recordedAt();
            latestVersion = event.version();
        }
        AccountCheckpoint checkpoint = byVersion.remove(event.version());
        if (checkpoint == null) {
            return;
        }
        if (!checkpoint.hash().equals(event.hash())) {
            findings.add(name, event.version(), "checkpoint", "names hash " + checkpoint.hash()
                    + " but the event's is " + event.hash());
        }
        if (!checkpoint.recordedAt().equals(event.recordedAt())) {
            findings.add(name, event.version(), "checkpoint", "says recorded at " + checkpoint.recordedAt()
                    + " but the event was recorded at " + event.recordedAt());
        }
        if (!StateCodec.encode(checkpoint.state()).equals(StateCodec.encode(state))) {
            findings.add(name, event.version(), "checkpoint", "holds " + StateCodec.encode(checkpoint.state())
                    + " but the events fold to " + StateCodec.encode(state));
        }
        if (latest.isAfter(checkpoint.recordedAt())) {
            findings.add(name, event.version(), "checkpoint", "recorded at " + checkpoint.recordedAt()
                    + " stands after v" + latestVersion + ", recorded later (" + latest + "): a balance as of an"
                    + " instant between them would not be the fold of the events");
        }
    }

    /** After the stream's last event: a checkpoint left over names a version the stream does not have. */
    void finish() {
        byVersion.keySet().forEach(version -> findings.add(name, version, "checkpoint",
                "stands at a version the stream does not have"));
    }
}
