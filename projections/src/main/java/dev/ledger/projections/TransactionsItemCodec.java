package dev.ledger.projections;

import static dev.ledger.projections.ProjectionTables.ID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.projections.TransfersProjection.StatusChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A multi-leg transaction's item in the transfers table: the transfers item's attributes
 * ({@link TransfersItemCodec}: {@code id}, {@code version}, {@code statusHistory}, {@code createdAt}),
 * with {@code id} = {@code transaction#ID} and {@code state} the JSON
 * {@code {"entries":[{"accountId","amount","currency","direction","index"}],"expiresAt","failedEntry"?,
 * "metadata","pending","rejectionCode"?,"rejectionMessage"?,"status","timeoutSeconds","transactionId"}},
 * amounts as decimal strings; once reversed, also {@code "reversal":{"forced","recordedAt","reversalId",
 * "version"}} (absent before, so items of transactions never reversed keep their shape). Pinned by
 * {@code TransfersProjectionTest}.
 */
final class TransactionsItemCodec {

    private TransactionsItemCodec() {
    }

    static Map<String, AttributeValue> encode(String itemId, long version, TransactionState state,
                                              List<StatusChange> history, Instant createdAt) {
        return encode(itemId, version, state, history, createdAt, null);
    }

    /** @param reversal null unless the transaction was reversed */
    static Map<String, AttributeValue> encode(String itemId, long version, TransactionState state,
                                              List<StatusChange> history, Instant createdAt,
                                              TransfersProjection.TransactionReversal reversal) {
        return TransfersItemCodec.encodeItem(itemId, version, encodeState(state, reversal), history, createdAt,
                List.of(), TransfersItemCodec.Kind.TRANSACTION, state.transactionId(), state.status().name());
    }

    /** The reversal an item shows; null if the transaction was not reversed. */
    static TransfersProjection.TransactionReversal reversal(Map<String, AttributeValue> item) {
        String what = "transfers item " + item.get(ID).s();
        AttributeValue state = item.get(TransfersItemCodec.STATE);
        if (state == null || state.s() == null) {
            throw new StoredFormException(what + " has no '" + TransfersItemCodec.STATE + "'");
        }
        JsonNode reversal = ItemJson.read(state.s(), what).get("reversal");
        if (reversal == null) {
            return null;
        }
        return new TransfersProjection.TransactionReversal(ItemJson.text(reversal, "reversalId", what),
                ItemJson.field(reversal, "forced", what).asBoolean(), ItemJson.number(reversal, "version", what),
                Instant.parse(ItemJson.text(reversal, "recordedAt", what)),
                ItemJson.optionalInstant(reversal, "effectiveAt", what));
    }

    static TransactionState state(Map<String, AttributeValue> item) {
        String what = "transfers item " + item.get(ID).s();
        AttributeValue state = item.get(TransfersItemCodec.STATE);
        if (state == null || state.s() == null) {
            throw new StoredFormException(what + " has no '" + TransfersItemCodec.STATE + "'");
        }
        JsonNode node = ItemJson.read(state.s(), what);
        List<TransactionEntry> entries = new ArrayList<>();
        for (JsonNode entry : ItemJson.field(node, "entries", what)) {
            entries.add(new TransactionEntry((int) ItemJson.number(entry, "index", what),
                    ItemJson.text(entry, "accountId", what), Side.valueOf(ItemJson.text(entry, "direction", what)),
                    Money.parse(ItemJson.text(entry, "amount", what),
                            CurrencyUnit.of(ItemJson.text(entry, "currency", what)))));
        }
        TreeMap<String, String> metadata = new TreeMap<>();
        ItemJson.field(node, "metadata", what).fields()
                .forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        TransactionRequest request = new TransactionRequest(entries, ItemJson.field(node, "pending", what).asBoolean(),
                ItemJson.number(node, "timeoutSeconds", what), metadata,
                ItemJson.optionalInstant(node, "effectiveAt", what));
        JsonNode expiresAt = ItemJson.field(node, "expiresAt", what);
        JsonNode code = node.get("rejectionCode");
        JsonNode failedEntry = node.get("failedEntry");
        JsonNode reversal = node.get("reversal");
        return new TransactionState(ItemJson.text(node, "transactionId", what), request,
                TransactionStatus.valueOf(ItemJson.text(node, "status", what)),
                expiresAt.isNull() ? null : Instant.parse(expiresAt.asText()),
                code == null ? null : new Rejection(RejectionCode.fromCode(code.asText()),
                        ItemJson.text(node, "rejectionMessage", what),
                        failedEntry == null ? null : failedEntry.asInt()),
                reversal == null ? null : new TransactionState.ReversedBy(ItemJson.text(reversal, "reversalId", what),
                        ItemJson.field(reversal, "forced", what).asBoolean()));
    }

    private static String encodeState(TransactionState t, TransfersProjection.TransactionReversal reversal) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("transactionId", t.transactionId());
        node.set("entries", entries(t.request().entries()));
        node.put("pending", t.request().pending());
        node.put("timeoutSeconds", t.request().timeoutSeconds());
        ObjectNode metadata = node.putObject("metadata");
        t.request().metadata().forEach(metadata::put);
        // Issue 16: only for a request that named an effective date, so every other item keeps its shape.
        if (t.request().effectiveAt() != null) {
            node.put("effectiveAt", t.request().effectiveAt().toString());
        }
        node.put("status", t.status().name());
        node.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
        if (t.rejection() != null) {
            node.put("rejectionCode", t.rejection().code().code());
            node.put("rejectionMessage", t.rejection().message());
            if (t.rejection().failedEntry() != null) {
                node.put("failedEntry", t.rejection().failedEntry().intValue());
            }
        }
        if (reversal != null) {
            node.putObject("reversal").put("reversalId", reversal.reversalId()).put("forced", reversal.forced())
                    .put("version", reversal.version()).put("recordedAt", reversal.recordedAt().toString());
            // Issue 16: only a dated reversal has it, so every other item keeps its shape.
            if (reversal.effectiveAt() != null) {
                ((ObjectNode) node.get("reversal")).put("effectiveAt", reversal.effectiveAt().toString());
            }
        }
        return ItemJson.write(node);
    }

    /** Entries as the projections write them (the transfers item and the history entries alike). */
    static ArrayNode entries(List<TransactionEntry> entries) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (TransactionEntry entry : entries) {
            array.addObject().put("index", entry.index()).put("accountId", entry.accountId())
                    .put("direction", entry.direction().name()).put("amount", entry.amount().toDecimalString())
                    .put("currency", entry.amount().currency().code());
        }
        return array;
    }
}
