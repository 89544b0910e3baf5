package dev.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.account.AccountStatus;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.StreamId;
import dev.ledger.domain.api.StreamState;
import dev.ledger.domain.audit.AuditTrail;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transaction.TransactionStatus;
import dev.ledger.domain.transfer.TransferState;
import dev.ledger.domain.transfer.TransferStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot form of a stream's state, kept in the stream's head item so a command loads one item
 * instead of replaying the stream. A snapshot is a cache of the fold: it can always be rebuilt from
 * the events, and is never hashed.
 */
public final class StateCodec {

    private StateCodec() {
    }

    public static String encode(StreamState state) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (state instanceof AccountState a) {
            node.put("accountId", a.accountId());
            node.put("currency", a.currency().code());
            node.put("overdraftLimit", a.overdraftLimit().unlimited() ? null : a.overdraftLimit().minorUnits());
            node.put("status", a.status().name());
            node.put("debitsPosted", a.debitsPosted());
            node.put("creditsPosted", a.creditsPosted());
            node.put("debitsPending", a.debitsPending());
            node.put("creditsPending", a.creditsPending());
            // Only where sharding put them (issue 13), so every other head keeps its bytes.
            if (a.shardCount() != 1) {
                node.put("shardCount", a.shardCount());
            }
            if (a.shardMovesIn() != 0 || a.shardMovesOut() != 0) {
                node.put("shardMovesIn", a.shardMovesIn());
                node.put("shardMovesOut", a.shardMovesOut());
            }
            // Only for an account that has some (issue 16), so every other head keeps its bytes.
            if (!a.metadata().isEmpty()) {
                ObjectNode metadata = node.putObject("metadata");
                a.metadata().forEach(metadata::put);
            }
        } else if (state instanceof TransferState t) {
            node.put("transferId", t.transferId());
            node.set("request", EventCodec.request(t.request()));
            node.put("status", t.status().name());
            node.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
            node.put("postedAmount", t.postedAmount().toDecimalString());
            if (t.rejection() != null) {
                node.put("rejectionCode", t.rejection().code().code());
                node.put("rejectionMessage", t.rejection().message());
            }
            // Only where recorded, so that the heads of logs written before issue 12 stay as they were.
            if (t.postRequest() != null) {
                node.put("postRequest", EventCodec.postRequest(t.postRequest()));
            }
            if (t.reversedAmount().isPositive()) {
                node.put("reversedAmount", t.reversedAmount().toDecimalString());
            }
            if (t.debitShard() != 0) {
                node.put("debitShard", t.debitShard());
            }
            if (t.creditShard() != 0) {
                node.put("creditShard", t.creditShard());
            }
        } else if (state instanceof ReversalState r) {
            node.put("reversalId", r.reversalId());
            node.set("request", EventCodec.reversalRequest(r.request()));
            if (r.isRejected()) {
                node.put("rejectionCode", r.rejection().code().code());
                node.put("rejectionMessage", r.rejection().message());
            } else if (r.amount() == null) {
                // A transaction's reversal: no single amount; each leg in its own currency.
                node.set("legs", EventCodec.reversalLegs(r.legs(), true));
            } else {
                node.put("currency", r.amount().currency().code());
                node.put("amount", r.amount().toDecimalString());
                ArrayNode legs = node.putArray("legs");
                r.legs().forEach(leg -> legs.addObject().put("accountId", leg.accountId())
                        .put("side", leg.side().name()).put("amount", leg.amount().toDecimalString()));
            }
        } else if (state instanceof TransactionState t) {
            node.put("transactionId", t.transactionId());
            node.set("request", EventCodec.transactionRequest(t.request()));
            node.put("status", t.status().name());
            node.put("expiresAt", t.expiresAt() == null ? null : t.expiresAt().toString());
            if (t.rejection() != null) {
                node.put("rejectionCode", t.rejection().code().code());
                node.put("rejectionMessage", t.rejection().message());
                if (t.rejection().failedEntry() != null) {
                    node.put("failedEntry", t.rejection().failedEntry().intValue());
                }
            }
            if (t.reversedBy() != null) {
                node.put("reversalId", t.reversedBy().reversalId());
                node.put("reversalForced", t.reversedBy().forced());
            }
        } else if (state instanceof BatchState b) {
            node.put("batchId", b.batchId());
            node.put("atomic", b.atomic());
            node.put("digest", b.digest());
            node.put("itemCount", b.itemCount());
            node.set("items", EventCodec.batchItems(b.items()));
            if (b.rejection() != null) {
                node.put("rejectionCode", b.rejection().code().code());
                node.put("rejectionMessage", b.rejection().message());
                node.put("failedItem", b.rejection().failedItem().intValue());
                if (b.rejection().failedEntry() != null) {
                    node.put("failedEntry", b.rejection().failedEntry().intValue());
                }
            }
        } else if (state instanceof AuditTrail a) {
            node.put("trailId", a.trailId());
            node.put("entries", a.entries());
        } else {
            throw new IllegalArgumentException("no snapshot form for " + state.getClass().getName());
        }
        return CanonicalJson.string(node);
    }

    public static AccountState decodeAccount(String json) {
        JsonNode node = CanonicalJson.parse(json);
        CurrencyUnit currency = CurrencyUnit.of(node.get("currency").asText());
        JsonNode limit = node.get("overdraftLimit");
        return new AccountState(node.get("accountId").asText(), currency,
                limit.isNull() ? OverdraftLimit.UNLIMITED : OverdraftLimit.of(limit.asLong()),
                AccountStatus.valueOf(node.get("status").asText()),
                node.get("debitsPosted").asLong(), node.get("creditsPosted").asLong(),
                node.get("debitsPending").asLong(), node.get("creditsPending").asLong(),
                node.has("shardCount") ? node.get("shardCount").asInt() : 1,
                node.has("shardMovesIn") ? node.get("shardMovesIn").asLong() : 0,
                node.has("shardMovesOut") ? node.get("shardMovesOut").asLong() : 0,
                EventCodec.metadata(node));
    }

    public static ReversalState decodeReversal(String json) {
        JsonNode node = CanonicalJson.parse(json);
        ReversalRequest request = EventCodec.reversalRequest(node.get("request"));
        JsonNode code = node.get("rejectionCode");
        if (code != null) {
            return new ReversalState(node.get("reversalId").asText(), request, null, List.of(),
                    new Rejection(RejectionCode.fromCode(code.asText()), node.get("rejectionMessage").asText()));
        }
        if (node.get("amount") == null) {
            return new ReversalState(node.get("reversalId").asText(), request, null,
                    EventCodec.reversalLegs(node.get("legs"), null), null);
        }
        CurrencyUnit currency = CurrencyUnit.of(node.get("currency").asText());
        List<ReversalEvent.Leg> legs = new ArrayList<>();
        for (JsonNode leg : node.get("legs")) {
            legs.add(new ReversalEvent.Leg(leg.get("accountId").asText(), Side.valueOf(leg.get("side").asText()),
                    Money.parse(leg.get("amount").asText(), currency)));
        }
        return new ReversalState(node.get("reversalId").asText(), request,
                Money.parse(node.get("amount").asText(), currency), legs, null);
    }

    public static TransferState decodeTransfer(String json) {
        JsonNode node = CanonicalJson.parse(json);
        var request = EventCodec.request(node.get("request"));
        JsonNode expiresAt = node.get("expiresAt");
        JsonNode code = node.get("rejectionCode");
        JsonNode postRequest = node.get("postRequest");
        JsonNode reversed = node.get("reversedAmount");
        return new TransferState(node.get("transferId").asText(), request,
                TransferStatus.valueOf(node.get("status").asText()),
                expiresAt.isNull() ? null : Instant.parse(expiresAt.asText()),
                Money.parse(node.get("postedAmount").asText(), request.amount().currency()),
                code == null ? null : new Rejection(RejectionCode.fromCode(code.asText()),
                        node.get("rejectionMessage").asText()),
                postRequest == null ? null : EventCodec.postRequest(postRequest.asText(), request.amount().currency()),
                reversed == null ? null : Money.parse(reversed.asText(), request.amount().currency()),
                node.has("debitShard") ? node.get("debitShard").asInt() : 0,
                node.has("creditShard") ? node.get("creditShard").asInt() : 0);
    }

    public static TransactionState decodeTransaction(String json) {
        JsonNode node = CanonicalJson.parse(json);
        JsonNode expiresAt = node.get("expiresAt");
        JsonNode code = node.get("rejectionCode");
        JsonNode failedEntry = node.get("failedEntry");
        JsonNode reversalId = node.get("reversalId");
        return new TransactionState(node.get("transactionId").asText(),
                EventCodec.transactionRequest(node.get("request")),
                TransactionStatus.valueOf(node.get("status").asText()),
                expiresAt.isNull() ? null : Instant.parse(expiresAt.asText()),
                code == null ? null : new Rejection(RejectionCode.fromCode(code.asText()),
                        node.get("rejectionMessage").asText(), failedEntry == null ? null : failedEntry.asInt()),
                reversalId == null ? null : new TransactionState.ReversedBy(reversalId.asText(),
                        node.get("reversalForced").asBoolean()));
    }

    public static BatchState decodeBatch(String json) {
        JsonNode node = CanonicalJson.parse(json);
        JsonNode code = node.get("rejectionCode");
        JsonNode failedEntry = node.get("failedEntry");
        return new BatchState(node.get("batchId").asText(), node.get("atomic").asBoolean(),
                node.get("digest").asText(), node.get("itemCount").asInt(), EventCodec.batchItems(node.get("items")),
                code == null ? null : new Rejection(RejectionCode.fromCode(code.asText()),
                        node.get("rejectionMessage").asText(), failedEntry == null ? null : failedEntry.asInt(),
                        node.get("failedItem").asInt()));
    }

    public static AuditTrail decodeAuditTrail(String json) {
        JsonNode node = CanonicalJson.parse(json);
        return new AuditTrail(node.get("trailId").asText(), node.get("entries").asLong());
    }

    /** A head's snapshot decoded as what its stream holds: an account, a transfer, a transaction or a reversal. */
    public static StreamState decode(StreamId stream, String json) {
        return switch (stream.type()) {
            case ACCOUNT -> decodeAccount(json);
            case TRANSFER -> decodeTransfer(json);
            case TRANSACTION -> decodeTransaction(json);
            case REVERSAL -> decodeReversal(json);
            case BATCH -> decodeBatch(json);
            case AUDIT -> decodeAuditTrail(json);
        };
    }
}
