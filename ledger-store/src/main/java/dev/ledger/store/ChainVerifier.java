package dev.ledger.store;

import java.util.Iterator;

/**
 * Recomputes a stream's hash chain from its events as stored, and names the first version where the
 * log is not what was written: a hash that does not match its recomputation, or a gap in versions.
 */
public final class ChainVerifier {

    private ChainVerifier() {
    }

    /**
     * @param events how many events were read
     * @param headHash the last recomputed hash (the genesis value for an empty stream)
     * @param firstBadVersion null when the chain is intact
     */
    public record Verification(long events, String headHash, boolean valid, Long firstBadVersion) {
    }

    public static Verification verify(Iterator<StoredEvent> stream) {
        String hash = HashChain.GENESIS;
        long expectedVersion = 1;
        long count = 0;
        while (stream.hasNext()) {
            StoredEvent event = stream.next();
            count++;
            if (event.version() != expectedVersion) {
                return new Verification(count, hash, false, expectedVersion);
            }
            String recomputed = HashChain.next(hash, event.canonicalBytes());
            if (!recomputed.equals(event.hash())) {
                return new Verification(count, hash, false, event.version());
            }
            hash = recomputed;
            expectedVersion++;
        }
        return new Verification(count, hash, true, null);
    }
}
