package dev.ledger.domain.ledger;

import dev.ledger.domain.api.StreamId;

/**
 * The heads a command was given disagree with each other: a transfer says its hold is still pending,
 * but one of its accounts no longer holds that much. The ledger only ever changes a transfer and its
 * accounts together, so consistent heads never disagree; this view was read stream by stream while
 * another command settled the same hold in between. Nothing was decided: read the streams again (the
 * same as losing an append race). The seen versions let a caller tell a read race, which a fresh read
 * resolves, from a log that disagrees with itself, which the same fresh read finds again.
 */
public final class InconsistentStreamsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The heads that disagreed, as read: two fresh reads with the same view rule out a read race. */
    public record View(StreamId transfer, long transferVersion, StreamId account, long accountVersion) {
    }

    private final transient View view;

    public InconsistentStreamsException(View view, String message) {
        super(message);
        this.view = view;
    }

    public View view() {
        return view;
    }
}
