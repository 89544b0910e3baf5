package dev.ledger.domain.api;

/**
 * The operator actions the audit trail records, each under a stored name that never changes (the trail
 * keeps the name as text, so a reader of an older trail needs no enum constant for it).
 */
public enum OperatorAction {
    /** {@code replay rebuild}, into shadow or live tables, with or without a swap: started and finished. */
    REBUILD("rebuild"),
    /** The read path pointed at a rebuilt table ({@code rebuild --swap}). */
    ROUTE_SWITCH("route_switch"),
    /** A rebuild's lock taken, free or expired. */
    REBUILD_LOCK_TAKEN("rebuild_lock_taken"),
    /** A lock another owner let expire, taken over (the other rebuild was killed, or stalled past its ttl). */
    REBUILD_LOCK_BROKEN("rebuild_lock_broken"),
    /** {@code POST /accounts/{id}/shards}. */
    SHARDS_RAISED("shards_raised"),
    /** A reversal sent with {@code force: true}, past an overdraft floor or a freeze. */
    REVERSAL_FORCED("reversal_forced"),
    /** {@code replay checkpoints --backfill}: the checkpoints a log written before them owes, started and finished. */
    CHECKPOINTS_BACKFILL("checkpoints_backfill");

    private final String stored;

    OperatorAction(String stored) {
        this.stored = stored;
    }

    public String stored() {
        return stored;
    }
}
