package dev.ledger.projections;

import static dev.ledger.projections.ProjectionItems.VERSION;
import static dev.ledger.projections.ProjectionTables.ID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import dev.ledger.projections.TransfersProjection.StatusChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The transfers item: {@code id} (the transfer), {@code version}, {@code state} (JSON:
 * {@code {"expiresAt","postedAmount","rejectionCode"?,"rejectionMessage"?,"request":{"amount",
 * "creditAccountId","currency","debitAccountId","metadata","pending","timeoutSeconds"},"status",
 * "transferId","postRequest"?,"reversedAmount"?,"debitShard"?,"creditShard"?}}, amounts as decimal strings;
 * {@code postRequest} only once a post of a hold recorded what it asked for: the amount, or "none";
 * {@code reversedAmount} only once a reversal gave some back; {@code debitShard} and {@code creditShard}
 * only for a leg on a shard k >= 1 of a sharded account (issue 13), where its hold settles), {@code statusHistory} (a list of maps {@code {"status","version","recordedAt"}}),
 * {@code reversals} once there are some (a list of maps {@code {"reversalId","amount","forced","version",
 * "recordedAt"}}) and {@code createdAt}. Pinned by
 * {@code TransfersProjectionTest}: a change here changes what the table holds, and is deployed with
 * {@code replay rebuild --swap}.
 */
final class TransfersItemCodec {

    static final String STATE = "state";
    static final String HISTORY = "statusHistory";
    static final String CREATED_AT = "createdAt";
    static final String REVERSALS = "reversals";
    /** A post's request in {@code state.postRequest}: the amount asked for, or this for none. */
    static final String NO_AMOUNT = "none";
    /** The hash key of {@link #BY_STATUS}: the item's status now, so the item moves lists when it changes. */
    static final String LIST_STATUS = "listStatus";
    /** The range key of {@link #BY_STATUS}: {@link #listAt}. */
    static final String LIST_AT = "listAt";
    /** Transfers and transactions of a status, newest first by when they were recorded (GET /transfers). */
    static final String BY_STATUS = "transfers-by-status";
    static final List<ProjectionTables.Index> INDEXES = List.of(new ProjectionTables.Index(BY_STATUS, LIST_STATUS, LIST_AT));
    /** Instants with nine fraction digits always: {@link Instant#toString} drops zeros, which breaks text order. */

    /** What a row of GET /transfers is: a transfer, or a multi-leg transaction. */
    enum Kind {
        TRANSFER, TRANSACTION;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private TransfersItemCodec() {
    }

    static Map<String, AttributeValue> encode(String transferId, long version, TransferState state,
                                              List<StatusChange> history, Instant createdAt) {
        return encode(transferId, version, state, history, createdAt, List.of());
    }

    /** @param reversals written only when there are some, so items of transfers never reversed keep their shape */
    static Map<String, AttributeValue> encode(String transferId, long version, TransferState state,
                                              List<StatusChange> history, Instant createdAt,
                                              List<TransfersProjection.Reversal> reversals) {
        return encodeItem(transferId, version, encodeState(state), history, createdAt, reversals, Kind.TRANSFER,
                transferId, state.status().name());
    }

    /** The item around a stream's state JSON: a transfer's, or a transaction's ({@link TransactionsItemCodec}). */
    static Map<String, AttributeValue> encodeItem(String id, long version, String state, List<StatusChange> history,
                                                  Instant createdAt, List<TransfersProjection.Reversal> reversals,
                                                  Kind kind, String streamId, String status) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(ID, AttributeValue.fromS(id));
        // Issue 16: the keys of BY_STATUS. Items written before them lack them (and are in no status list)
        // until `replay rebuild --projection transfers --swap`; `replay verify` names them missing until then.
        item.put(LIST_STATUS, AttributeValue.fromS(status));
        item.put(LIST_AT, AttributeValue.fromS(listAt(createdAt, kind, streamId)));
        item.put(VERSION, AttributeValue.fromN(Long.toString(version)));
        item.put(STATE, AttributeValue.fromS(state));
        item.put(HISTORY, AttributeValue.fromL(history.stream().map(change -> AttributeValue.fromM(Map.of(
                "status", AttributeValue.fromS(change.status()),
                "version", AttributeValue.fromN(Long.toString(change.version())),
                "recordedAt", AttributeValue.fromS(change.recordedAt().toString())))).toList()));
        item.put(CREATED_AT, AttributeValue.fromS(createdAt.toString()));
        if (!reversals.isEmpty()) {
            item.put(REVERSALS, AttributeValue.fromL(reversals.stream().map(r -> {
                Map<String, AttributeValue> reversal = new java.util.HashMap<>(Map.of(
                        "reversalId", AttributeValue.fromS(r.reversalId()),
                        "amount", AttributeValue.fromS(r.amount().toDecimalString()),
                        "forced", AttributeValue.fromBool(r.forced()),
                        "version", AttributeValue.fromN(Long.toString(r.version())),
                        "recordedAt", AttributeValue.fromS(r.recordedAt().toString())));
                // Issue 16: only a dated reversal has it, so every other item keeps its shape.
                if (r.effectiveAt() != null) {
                    reversal.put("effectiveAt", AttributeValue.fromS(r.effectiveAt().toString()));
                }
                return AttributeValue.fromM(reversal);
            }).toList()));
        }
        return item;
    }

    /**
     * Where an item sorts in a status list: when it was recorded (fixed width, so text order is time
     * order), then its kind and id, so that the order is total and never changes as its status does.
     */
    static String listAt(Instant createdAt, Kind kind, String streamId) {
        return listInstant(createdAt) + "#" + kind.label() + "#" + streamId;
    }

    /** An instant as {@link #listAt} begins with it. */
    static String listInstant(Instant instant) {
        return SortableTime.of(instant);
    }

    /** The reversals an item lists; none if it has no {@code reversals}. */
    static List<TransfersProjection.Reversal> reversals(Map<String, AttributeValue> item) {
        AttributeValue reversals = item.get(REVERSALS);
        if (reversals == null) {
            return List.of();
        }
        CurrencyUnit currency = state(item).request().amount().currency();
        List<TransfersProjection.Reversal> list = new ArrayList<>();
        for (AttributeValue reversal : reversals.l()) {
            Map<String, AttributeValue> m = reversal.m();
            AttributeValue effectiveAt = m.get("effectiveAt");
            list.add(new TransfersProjection.Reversal(m.get("reversalId").s(), Money.parse(m.get("amount").s(), currency),
                    m.get("forced").bool(), Long.parseLong(m.get("version").n()), Instant.parse(m.get("recordedAt").s()),
                    effectiveAt == null ? null : Instant.parse(effectiveAt.s())));
        }
        return list;
    }

    static TransferState state(Map<String, AttributeValue> item) {
        String what = what(item);
        AttributeValue state = item.get(STATE);
        if (state == null || state.s() == null) {
            throw new StoredFormException(what + " has no '" + STATE + "'");
        }
        JsonNode node = ItemJson.read(state.s(), what);
        JsonNode request = ItemJson.field(node, "request", what);
        CurrencyUnit currency = CurrencyUnit.of(ItemJson.text(request, "currency", what));
        TreeMap<String, String> metadata = new TreeMap<>();
        ItemJson.field(request, "metadata", what).fields()
                .forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        TransferRequest transferRequest = new TransferRequest(ItemJson.text(request, "debitAccountId", what),
                ItemJson.text(request, "creditAccountId", what),
                Money.parse(ItemJson.text(request, "amount", what), currency),
                ItemJson.field(request, "pending", what).asBoolean(), ItemJson.number(request, "timeoutSeconds", what),
                metadata, ItemJson.optionalInstant(request, "effectiveAt", what));
        JsonNode expiresAt = ItemJson.field(node, "expiresAt", what);
        JsonNode code = node.get("rejectionCode");
        JsonNode postRequest = node.get("postRequest");
        return new TransferState(ItemJson.text(node, "transferId", what), transferRequest,
                TransferStatus.valueOf(ItemJson.text(node, "status", what)),
                expiresAt.isNull() ? null : Instant.parse(expiresAt.asText()),
                Money.parse(ItemJson.text(node, "postedAmount", what), currency),
                code == null ? null : new Rejection(RejectionCode.fromCode(code.asText()),
                        ItemJson.text(node, "rejectionMessage", what)),
                postRequest == null ? null : NO_AMOUNT.equals(postRequest.asText()) ? PostRequest.whole()
                        : PostRequest.of(Money.parse(postRequest.asText(), currency)),
                node.has("reversedAmount") ? Money.parse(ItemJson.text(node, "reversedAmount", what), currency) : null,
                node.has("debitShard") ? Math.toIntExact(ItemJson.number(node, "debitShard", what)) : 0,
                node.has("creditShard") ? Math.toIntExact(ItemJson.number(node, "creditShard", what)) : 0);
    }

    static List<StatusChange> history(Map<String, AttributeValue> item) {
        AttributeValue history = item.get(HISTORY);
        if (history == null || !history.hasL()) {
            throw new StoredFormException(what(item) + " has no '" + HISTORY + "'");
        }
        List<StatusChange> changes = new ArrayList<>();
        for (AttributeValue change : history.l()) {
            Map<String, AttributeValue> m = change.m();
            changes.add(new StatusChange(m.get("status").s(), Long.parseLong(m.get("version").n()),
                    Instant.parse(m.get("recordedAt").s())));
        }
        return changes;
    }

    static Instant createdAt(Map<String, AttributeValue> item) {
        AttributeValue createdAt = item.get(CREATED_AT);
        if (createdAt == null || createdAt.s() == null) {
            throw new StoredFormException(what(item) + " has no '" + CREATED_AT + "'");
        }
        return Instant.parse(createdAt.s());
    }

    static long version(Map<String, AttributeValue> item) {
        return Long.parseLong(item.get(VERSION).n());
    }

    private static String encodeState(TransferState t) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("transferId", t.transferId());
        ObjectNode request = node.putObject("request");
        request.put("debitAccountId", t.request().debitAccountId());
        request.put("creditAccountId", t.request().creditAccountId());
        request.put("amount", t.request().amount().toDecimalString());
        request.put("currency", t.request().amount().currency().code());
        request.put("pending", t.request().pending());
        request.put("timeoutSeconds", t.request().timeoutSeconds());
        ObjectNode metadata = request.putObject("metadata");
        t.request().metadata().forEach(metadata::put);
        // Issue 16: only for a request that named an effective date, so every other item keeps its shape.
        if (t.request().effectiveAt() != null) {
            request.put("effectiveAt", t.request().effectiveAt().toString());
        }
        node.put("status", t.status().name());
        node.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
        node.put("postedAmount", t.postedAmount().toDecimalString());
        if (t.rejection() != null) {
            node.put("rejectionCode", t.rejection().code().code());
            node.put("rejectionMessage", t.rejection().message());
        }
        if (t.postRequest() != null) {
            node.put("postRequest", t.postRequest().isWhole() ? NO_AMOUNT : t.postRequest().amount().toDecimalString());
        }
        if (t.reversedAmount().isPositive()) {
            node.put("reversedAmount", t.reversedAmount().toDecimalString());
        }
        // Only a leg on a shard k >= 1 of a sharded account is named, so every other item keeps its bytes.
        if (t.debitShard() != 0) {
            node.put("debitShard", t.debitShard());
        }
        if (t.creditShard() != 0) {
            node.put("creditShard", t.creditShard());
        }
        return ItemJson.write(node);
    }

    private static String what(Map<String, AttributeValue> item) {
        return "transfers item " + item.get(ID).s();
    }
}
