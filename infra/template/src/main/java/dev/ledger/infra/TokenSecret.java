package dev.ledger.infra;

import dev.ledger.http.ApiTokens;
import dev.ledger.http.ApiTokens.StoredToken;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * A stack's API token secret (template resource {@code ApiTokenSecret}, found through the stack
 * output {@value #OUTPUT}), read and written in {@link ApiTokens}' stored form: names, roles and
 * digests, never a token. What {@code ./ledger tokens} and the local stack change it with.
 *
 * <p>Each change reads the value, changes it and writes it back as a new version (the authorizer
 * reads the current one). Secrets Manager has no conditional write, so two changes at the very same
 * time may lose one; issuing and revoking are an operator's occasional acts, and {@link #list} shows
 * what holds.
 */
public final class TokenSecret {

    /** The stack output naming the secret: its ARN on AWS, its name on Stage=local. */
    public static final String OUTPUT = "ApiTokenSecretId";

    private final SecretsManagerClient secrets;
    private final String secretId;

    public TokenSecret(SecretsManagerClient secrets, String secretId) {
        this.secrets = Objects.requireNonNull(secrets);
        this.secretId = Objects.requireNonNull(secretId);
    }

    public String secretId() {
        return secretId;
    }

    /** The stored tokens, in the order they were added. */
    public List<StoredToken> list() {
        return ApiTokens.readStored(secrets.getSecretValue(r -> r.secretId(secretId)).secretString());
    }

    /**
     * Adds a token.
     *
     * @throws IllegalArgumentException when a token of that name is stored already (revoke it first)
     */
    public void add(StoredToken token) {
        List<StoredToken> tokens = new ArrayList<>(list());
        if (tokens.stream().anyMatch(t -> t.name().equals(token.name()))) {
            throw new IllegalArgumentException("a token named " + token.name() + " exists; revoke it first");
        }
        tokens.add(token);
        write(tokens);
    }

    /** Removes the token of that name; false if there is none. */
    public boolean revoke(String name) {
        List<StoredToken> tokens = new ArrayList<>(list());
        boolean removed = tokens.removeIf(t -> t.name().equals(name));
        if (removed) {
            write(tokens);
        }
        return removed;
    }

    /**
     * Makes a local stack's own tokens (named by role, {@link ApiTokens#named}) the stored ones of
     * their kind: each replaces a stored one of its name, stored tokens named by role that are not
     * among them are removed (tokens of an earlier run, say before {@code LEDGER_API_TOKENS} changed),
     * and tokens of other names (issued with {@code ./ledger tokens}) are kept. What a local stack
     * does on every start. Writes nothing when nothing changes, so a restart does not grow the
     * emulator's journal.
     */
    public void keep(List<StoredToken> ours) {
        Map<String, StoredToken> byName = new LinkedHashMap<>();
        List<StoredToken> stored = list();
        stored.forEach(t -> byName.put(t.name(), t));
        byName.keySet().removeIf(name -> ApiTokens.namedByRole(name)
                && ours.stream().noneMatch(o -> o.name().equals(name)));
        ours.forEach(t -> byName.put(t.name(), t));
        // A stored token of another name with the digest of one of ours (renamed) gives way to ours.
        List<StoredToken> merged = new ArrayList<>(byName.values());
        merged.removeIf(t -> ours.stream().anyMatch(o -> o.sha256().equals(t.sha256()) && !o.name().equals(t.name())));
        if (!merged.equals(stored)) {
            write(merged);
        }
    }

    private void write(List<StoredToken> tokens) {
        secrets.putSecretValue(r -> r.secretId(secretId).secretString(ApiTokens.storedForm(tokens)));
    }
}
