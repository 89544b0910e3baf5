package dev.ledger.functions.sweeper;

import dev.ledger.functions.command.CommandService;
import dev.ledger.store.PendingHolds;
import java.time.Instant;

/**
 * Records the expiry of every pending hold whose timeout has passed: pending transfers and pending
 * multi-leg transactions. Their heads sit in a sparse index by expiry ({@link PendingHolds}), read up to now. Expiring is idempotent, so a sweep
 * that runs late, twice, or beside a post that got there first is harmless.
 */
public final class HoldExpirySweeper {

    private final PendingHolds pendingHolds;
    private final CommandService commands;

    public HoldExpirySweeper(PendingHolds pendingHolds, CommandService commands) {
        this.pendingHolds = pendingHolds;
        this.commands = commands;
    }

    /** Sweeps every bucket; returns how many holds it expired. */
    public int sweep(String correlationId) {
        Instant now = commands.clock().instant();
        int[] expired = {0};
        pendingHolds.forEachOverdue(now, stream -> {
            boolean recorded = !commands.execute(correlationId, ledger -> switch (stream.type()) {
                case TRANSFER -> ledger.expirePendingTransfer(stream.id());
                case TRANSACTION -> ledger.expirePendingTransaction(stream.id());
                case ACCOUNT, REVERSAL, BATCH, AUDIT -> throw new IllegalStateException("the head of " + stream
                        + " is in the pending-holds index, which holds pending transfers and transactions only");
            }).events().isEmpty();
            expired[0] += recorded ? 1 : 0;
        });
        return expired[0];
    }
}
