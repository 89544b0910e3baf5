package dev.ledger.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The tamper-evident chain of one stream: {@code hash(n) = SHA-256(ascii(hash(n-1)) || canonical(n))},
 * written as 64 lowercase hex digits, with {@link #GENESIS} (64 zeros) before version 1. Changing,
 * removing or reordering any event changes every hash after it.
 */
public final class HashChain {

    public static final String GENESIS = "0".repeat(64);

    private HashChain() {
    }

    public static String next(String previousHash, byte[] canonicalEvent) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(previousHash.getBytes(StandardCharsets.US_ASCII));
            sha256.update(canonicalEvent);
            return HexFormat.of().formatHex(sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
