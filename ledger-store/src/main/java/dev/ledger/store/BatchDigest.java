package dev.ledger.store;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.api.BatchItem;
import dev.ledger.domain.api.BatchItem.TransactionItem;
import dev.ledger.domain.api.BatchItem.TransferItem;
import dev.ledger.domain.api.BatchRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The one rule for a batch's digests: SHA-256 of canonical JSON, the items in the stored form their own
 * streams keep ({@link EventCodec#request}, {@link EventCodec#transactionRequest}).
 * <pre>
 *   item:  {"id","kind","request"}
 *   batch: {"atomic","items":[item, ...]}
 * </pre>
 * A batch records digests rather than its request: the items' content is in their own streams already,
 * and a batch of 1,000 items of up to 100 entries would not fit one 400 KB DynamoDB item. The digest
 * tells the same request from another under the batch id, and an item's digest lets {@code replay verify}
 * recompute it from the item's own stream.
 */
public final class BatchDigest {

    private BatchDigest() {
    }

    /** The request with its digests. */
    public static BatchRequest request(boolean atomic, List<BatchItem> items) {
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        batch.put("atomic", atomic);
        ArrayNode array = batch.putArray("items");
        List<String> digests = new ArrayList<>();
        for (BatchItem item : items) {
            ObjectNode node = stored(item);
            array.add(node);
            digests.add(sha256(CanonicalJson.bytes(node)));
        }
        return new BatchRequest(atomic, items, sha256(CanonicalJson.bytes(batch)), digests);
    }

    /** One item's digest, as the batch records it. */
    public static String item(BatchItem item) {
        return sha256(CanonicalJson.bytes(stored(item)));
    }

    private static ObjectNode stored(BatchItem item) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("kind", item.kind());
        node.put("id", item.id());
        if (item instanceof TransferItem transfer) {
            node.set("request", EventCodec.request(transfer.request()));
        } else if (item instanceof TransactionItem transaction) {
            node.set("request", EventCodec.transactionRequest(transaction.request()));
        } else {
            throw new IllegalArgumentException("unknown batch item " + item.getClass().getSimpleName());
        }
        return node;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
