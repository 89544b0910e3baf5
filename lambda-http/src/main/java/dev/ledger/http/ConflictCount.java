package dev.ledger.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The races the commands of one request lost (each a retry, or the last loss before a 409), for the
 * request's log line. A batch runs its items on several threads at once, so it counts atomically.
 */
public final class ConflictCount {

    private final AtomicInteger lost = new AtomicInteger();

    /** One more race lost. */
    public void lost() {
        lost.incrementAndGet();
    }

    public int total() {
        return lost.get();
    }
}
