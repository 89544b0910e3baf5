package dev.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.StreamId;
import java.time.Instant;

/**
 * One event as the log keeps it: the domain event's body under an explicit type name and schema
 * version, with where and when it was recorded, and its link in the stream's hash chain.
 *
 * @param transferId the transfer the event belongs to, or null (account opening, freezing..., and every
 *     event of a multi-leg transaction, whose id is in the body)
 * @param data the event body as canonical JSON
 * @param effectiveAt when the event counts (issue 16): the effective date its transfer, transaction or
 *     reversal named, on every event of that request in its append; null when none was named (every event
 *     before issue 16), and then it counts when it was recorded
 */
public record StoredEvent(StreamId stream, long version, String type, int schemaVersion, Instant recordedAt,
                          String transferId, String correlationId, String data, String hash, Instant effectiveAt) {

    /** An event that counts when it was recorded: every event before issue 16, and most after it. */
    public StoredEvent(StreamId stream, long version, String type, int schemaVersion, Instant recordedAt,
                       String transferId, String correlationId, String data, String hash) {
        this(stream, version, type, schemaVersion, recordedAt, transferId, correlationId, data, hash, null);
    }

    /** When the event counts for its account's client: its effective date if it has one, else when it was recorded. */
    public Instant effectiveInstant() {
        return effectiveAt == null ? recordedAt : effectiveAt;
    }

    /**
     * The bytes the hash covers: the canonical JSON of
     * {@code {"correlationId","data","recordedAt","schemaVersion","stream","transferId","type","version"}}
     * where {@code data} is the body object (not its string), {@code stream} is "account:ID",
     * "transfer:ID" or "transaction:ID", {@code recordedAt} is ISO-8601 UTC as written, and an absent transfer id is null.
     * An event with an effective date (issue 16) also has {@code "effectiveAt"} (ISO-8601 UTC); an event
     * without one has no such key, so every envelope written before keeps its bytes and its hash.
     */
    public byte[] canonicalBytes() {
        return CanonicalJson.bytes(envelope());
    }

    /** The envelope the hash covers (see {@link #canonicalBytes}). */
    public ObjectNode envelope() {
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("stream", stream.toString());
        envelope.put("version", version);
        envelope.put("type", type);
        envelope.put("schemaVersion", schemaVersion);
        envelope.put("recordedAt", recordedAt.toString());
        envelope.put("transferId", transferId);
        envelope.put("correlationId", correlationId);
        if (effectiveAt != null) {
            envelope.put("effectiveAt", effectiveAt.toString());
        }
        envelope.set("data", CanonicalJson.parse(data));
        return envelope;
    }

    /** The envelope and its hash as one line of canonical JSON: the export form auditors check. */
    public String toJsonLine() {
        ObjectNode line = envelope();
        line.put("hash", hash);
        return CanonicalJson.string(line);
    }

    /** Reads the form {@link #toJsonLine} writes (what the publisher puts on Kinesis, what export writes). */
    public static StoredEvent fromJsonLine(String line) {
        JsonNode node = CanonicalJson.parse(line);
        JsonNode transferId = node.get("transferId");
        JsonNode effectiveAt = node.get("effectiveAt");
        return new StoredEvent(EventsTable.streamOf(node.get("stream").asText()), node.get("version").asLong(),
                node.get("type").asText(), node.get("schemaVersion").asInt(),
                Instant.parse(node.get("recordedAt").asText()),
                transferId == null || transferId.isNull() ? null : transferId.asText(),
                node.get("correlationId").asText(), CanonicalJson.string(node.get("data")), node.get("hash").asText(),
                effectiveAt == null || effectiveAt.isNull() ? null : Instant.parse(effectiveAt.asText()));
    }

    public JsonNode body() {
        return CanonicalJson.parse(data);
    }

    public LedgerEvent event() {
        return EventCodec.decode(type, schemaVersion, body());
    }
}
