package dev.ledger.projections;

/**
 * A read-table item this code cannot read: written in another format (an older or newer one) or
 * damaged. The fix is to rebuild the projection from the log ({@code replay rebuild --swap}).
 */
public final class StoredFormException extends RuntimeException {

    StoredFormException(String problem) {
        super(problem + "; this code cannot read it: rebuild the projection from the log (replay rebuild --swap)");
    }
}
