package dev.ledger.store;

import java.util.Iterator;

/**
 * Walks one stream's hash chain event by event: each event must be the next version, and its stored
 * hash must be {@link HashChain#next} of the hash before it over its canonical bytes. The first event
 * that is not breaks the chain for good, and the cursor says where and why. Every check of a chain
 * (the read API's verify, the replay tool's verify, state and rebuild) walks with this class.
 */
public final class HashChainCursor {

    /** Why a chain broke. */
    public enum Break {
        /** The next stored event is not the next version: that version is missing from the log. */
        MISSING_VERSION,
        /** The event's stored hash is not the one recomputed from the chain and the event's bytes. */
        HASH_MISMATCH
    }

    /**
     * A walk's outcome.
     *
     * @param events how many events were taken, the one that broke the chain included
     * @param headHash the last hash that chained (the starting hash if none did)
     * @param firstBadVersion null when the chain is intact
     */
    public record Verification(long events, String headHash, boolean valid, Long firstBadVersion) {
    }

    private long version;
    private String hash;
    private long events;
    private Break broken;
    private long firstBadVersion;
    private StoredEvent badEvent;
    private String recomputedHash;

    private HashChainCursor(long version, String hash) {
        this.version = version;
        this.hash = hash;
    }

    /** Before a stream's first event: version 0, {@link HashChain#GENESIS}. */
    public static HashChainCursor fromGenesis() {
        return new HashChainCursor(0, HashChain.GENESIS);
    }

    /** Past {@code version}, whose hash is {@code hash}: the next event must be {@code version + 1}. */
    public static HashChainCursor after(long version, String hash) {
        return new HashChainCursor(version, hash);
    }

    /** Walks a whole stream from its first event, up to its end or its first break. */
    public static Verification verify(Iterator<StoredEvent> stream) {
        HashChainCursor chain = fromGenesis();
        while (stream.hasNext()) {
            if (!chain.accept(stream.next())) {
                break;
            }
        }
        return chain.finish();
    }

    /**
     * Takes the stream's next event.
     *
     * @return true if it chains on; false if it breaks the chain (or the chain was already broken)
     */
    public boolean accept(StoredEvent event) {
        if (broken != null) {
            return false;
        }
        events++;
        if (event.version() != version + 1) {
            return breakAt(Break.MISSING_VERSION, version + 1, event, null);
        }
        String recomputed = HashChain.next(hash, event.canonicalBytes());
        if (!recomputed.equals(event.hash())) {
            return breakAt(Break.HASH_MISMATCH, event.version(), event, recomputed);
        }
        hash = recomputed;
        version = event.version();
        return true;
    }

    private boolean breakAt(Break why, long at, StoredEvent event, String recomputed) {
        broken = why;
        firstBadVersion = at;
        badEvent = event;
        recomputedHash = recomputed;
        return false;
    }

    /** The walk so far: events taken, where the chain stands, and the first bad version if it broke. */
    public Verification finish() {
        return new Verification(events, hash, intact(), intact() ? null : firstBadVersion);
    }

    public boolean intact() {
        return broken == null;
    }

    /** The last version that chained (the starting version if none did yet). */
    public long version() {
        return version;
    }

    /** The hash of {@link #version()}: where the chain stands. */
    public String headHash() {
        return hash;
    }

    /** Why the chain broke; null while it holds. */
    public Break breakReason() {
        return broken;
    }

    /**
     * The first version that is not as written: the missing one for {@link Break#MISSING_VERSION}, the
     * altered one for {@link Break#HASH_MISMATCH}.
     *
     * @throws IllegalStateException while the chain holds
     */
    public long firstBadVersion() {
        requireBroken();
        return firstBadVersion;
    }

    /** The event that broke the chain (for a missing version: the one stored where it should be). */
    public StoredEvent badEvent() {
        requireBroken();
        return badEvent;
    }

    /** For {@link Break#HASH_MISMATCH}: the hash the bad event should carry; null for a missing version. */
    public String recomputedHash() {
        requireBroken();
        return recomputedHash;
    }

    private void requireBroken() {
        if (broken == null) {
            throw new IllegalStateException("the chain is intact");
        }
    }
}
