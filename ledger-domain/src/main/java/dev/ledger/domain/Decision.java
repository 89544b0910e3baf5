package dev.ledger.domain;

/**
 * What an aggregate's command handler answers. A rejection is a value, not an exception: the
 * handler applied no event, and the caller decides how to report it.
 */
public sealed interface Decision {

    Decision ACCEPTED = new Accepted();

    Decision ALREADY_APPLIED = new AlreadyApplied();

    static Decision accepted() {
        return ACCEPTED;
    }

    /** The same command was already applied: nothing new happens, and the first answer stands. */
    static Decision alreadyApplied() {
        return ALREADY_APPLIED;
    }

    static Decision rejected(RejectionCode code, String message) {
        return new Rejected(new Rejection(code, message));
    }

    static Decision rejected(Rejection rejection) {
        return new Rejected(rejection);
    }

    default boolean isAccepted() {
        return this instanceof Accepted;
    }

    /** The command was accepted; its events (possibly none, for a no-op) were applied. */
    record Accepted() implements Decision {
    }

    /**
     * The command repeats the one that already brought the aggregate where it is (a post or void sent
     * again): it applies nothing, and the caller answers as the first time.
     */
    record AlreadyApplied() implements Decision {
    }

    /** The command was refused and changed nothing. */
    record Rejected(Rejection rejection) implements Decision {
    }
}
