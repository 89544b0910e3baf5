package dev.ledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.RejectionCode;
import dev.ledger.domain.api.AccountEvent;
import dev.ledger.domain.api.AccountEvent.AccountClosed;
import dev.ledger.domain.api.AccountEvent.AccountFrozen;
import dev.ledger.domain.api.AccountEvent.AccountMetadataSet;
import dev.ledger.domain.api.AccountEvent.AccountOpened;
import dev.ledger.domain.api.AccountEvent.AccountSharded;
import dev.ledger.domain.api.AccountEvent.ShardFundsMoved;
import dev.ledger.domain.api.AccountEvent.ShardOpened;
import dev.ledger.domain.api.AccountEvent.AccountUnfrozen;
import dev.ledger.domain.api.AccountEvent.EntryPosted;
import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.HoldExpired;
import dev.ledger.domain.api.AccountEvent.HoldPlaced;
import dev.ledger.domain.api.AccountEvent.HoldPosted;
import dev.ledger.domain.api.AccountEvent.HoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesPosted;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionHoldExpired;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPlaced;
import dev.ledger.domain.api.AccountEvent.TransactionHoldPosted;
import dev.ledger.domain.api.AccountEvent.TransactionHoldVoided;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.AuditEvent;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.BatchEvent.BatchRecorded;
import dev.ledger.domain.api.BatchEvent.BatchRejected;
import dev.ledger.domain.api.BatchEvent.ItemOutcome;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.OriginalKind;
import dev.ledger.domain.api.PostRequest;
import dev.ledger.domain.api.ReversalEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.ReversalEvent.ReversalRejected;
import dev.ledger.domain.api.ReversalRequest;
import dev.ledger.domain.api.Side;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionExpired;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionPosted;
import dev.ledger.domain.api.TransactionEvent.PendingTransactionVoided;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRejected;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransactionRequest;
import dev.ledger.domain.api.TransferEvent;
import dev.ledger.domain.api.TransferEvent.PendingTransferExpired;
import dev.ledger.domain.api.TransferEvent.PendingTransferPosted;
import dev.ledger.domain.api.TransferEvent.PendingTransferVoided;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferRejected;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.api.TransferRequest;
import dev.ledger.domain.money.CurrencyUnit;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.money.OverdraftLimit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The stored form of every event, written out by hand so it never depends on a class name or a
 * field order: an explicit type name, a schema version, and a JSON body whose amounts are decimal
 * strings in the event's currency. A new shape of an event gets a new schema version here, and the
 * old version stays decodable forever.
 *
 * <p>Multi-leg transactions (issue 12) added event types, never fields of the old ones: their account
 * events ({@code TransactionEntriesPosted}, {@code TransactionHold*}) carry every entry of the transaction,
 * each with its own amount and currency, and the transaction's own stream holds {@code TransactionRecorded},
 * {@code TransactionRejected} and {@code PendingTransaction*}. Their envelope's transfer id is null.
 *
 * <p>Batches (issue 12) added a stream type ({@code batch:ID}) with its own two event types,
 * {@code BatchRecorded} and {@code BatchRejected}, and nothing else: the items of a batch are stored exactly
 * as the same transfers and transactions sent singly. The append they share is what ties them to the
 * batch: every event of one append carries the same {@code recordedAt} and {@code correlationId}, both
 * under the hash chain, and the batch's record lists each item with its digest.
 *
 * <p>The reversal of a transaction (issue 12 §2) added {@code TransactionReversed} (the transaction's
 * stream), {@code TransactionEntriesReversed} (each account's: the entries reversed, plus
 * {@code reversalId} and {@code forced}) and a form of {@code ReversalRecorded} whose request names
 * {@code "originalKind":"transaction"}: its {@code amount} is null (a transaction may move several
 * currencies) and each leg carries its own {@code currency}. A transfer's reversal keeps its form byte for byte.
 */
public final class EventCodec {

    public static final int SCHEMA_VERSION = 1;

    /**
     * What a post of a hold asked for (issue 12): the amount as a decimal string in the event's
     * currency, or {@link #NO_AMOUNT} for a post that named none. Absent from posts logged before it was
     * recorded; such a post is matched by {@code TransferState#isCompletedByPost}.
     */
    static final String REQUESTED_AMOUNT = "requestedAmount";
    static final String NO_AMOUNT = "none";

    /** The optional effective date of a transfer's, transaction's or reversal's request (issue 16). */
    public static final String EFFECTIVE_AT = "effectiveAt";

    private EventCodec() {
    }

    /** An event ready to store. */
    public record Encoded(String type, int schemaVersion, ObjectNode body) {
    }

    public static Encoded encode(LedgerEvent event) {
        if (event instanceof AuditEvent audit) {
            ObjectNode body = AuditCodec.body();
            AuditCodec.encode(audit, body);
            return new Encoded(AuditCodec.typeOf(audit), SCHEMA_VERSION, body);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        String type = typeOf(event);
        if (event instanceof AccountOpened e) {
            body.put("accountId", e.accountId());
            body.put("currency", e.currency().code());
            body.put("overdraftLimit", e.overdraftLimit().unlimited() ? null
                    : Money.toDecimalString(e.overdraftLimit().minorUnits(), e.currency().minorDigits()));
        } else if (event instanceof AccountFrozen || event instanceof AccountUnfrozen || event instanceof AccountClosed) {
            body.put("accountId", ((AccountEvent) event).accountId());
        } else if (event instanceof AccountMetadataSet e) {
            body.put("accountId", e.accountId());
            ObjectNode metadata = body.putObject("metadata");
            e.metadata().forEach(metadata::put);
        } else if (event instanceof AccountSharded e) {
            body.put("accountId", e.accountId());
            body.put("shards", e.shards());
        } else if (event instanceof ShardOpened e) {
            body.put("accountId", e.accountId());
            body.put("currency", e.currency().code());
            body.put("overdraftLimit", e.overdraftLimit().unlimited() ? null
                    : Money.toDecimalString(e.overdraftLimit().minorUnits(), e.currency().minorDigits()));
            body.put("frozen", e.frozen());
        } else if (event instanceof ShardFundsMoved e) {
            body.put("accountId", e.accountId());
            body.put("moveId", e.moveId());
            body.put("side", e.side().name());
            body.put("counterpartyAccountId", e.counterpartyAccountId());
            putAmount(body, "amount", e.amount());
        } else if (event instanceof TransferLeg leg) {
            body.put("accountId", leg.accountId());
            body.put("transferId", leg.transferId());
            body.put("side", leg.side().name());
            body.put("counterpartyAccountId", leg.counterpartyAccountId());
            if (leg instanceof EntryPosted e) {
                putAmount(body, "amount", e.amount());
            } else if (leg instanceof HoldPlaced e) {
                putAmount(body, "amount", e.amount());
                body.put("expiresAt", e.expiresAt().toString());
            } else if (leg instanceof HoldPosted e) {
                putAmount(body, "heldAmount", e.heldAmount());
                putAmount(body, "postedAmount", e.postedAmount());
            } else if (leg instanceof HoldVoided e) {
                putAmount(body, "amount", e.amount());
            } else if (leg instanceof HoldExpired e) {
                putAmount(body, "amount", e.amount());
            } else if (leg instanceof EntryReversed e) {
                putAmount(body, "amount", e.amount());
                body.put("reversalId", e.reversalId());
                body.put("forced", e.forced());
            }
        } else if (event instanceof TransactionLeg leg) {
            body.put("accountId", leg.accountId());
            body.put("transactionId", leg.transactionId());
            body.set("entries", entries(leg.entries()));
            if (leg instanceof TransactionHoldPlaced e) {
                body.put("expiresAt", e.expiresAt().toString());
            } else if (leg instanceof TransactionEntriesReversed e) {
                body.put("reversalId", e.reversalId());
                body.put("forced", e.forced());
            }
        } else if (event instanceof TransactionRecorded e) {
            body.put("transactionId", e.transactionId());
            body.set("request", transactionRequest(e.request()));
            body.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
        } else if (event instanceof TransactionRejected e) {
            body.put("transactionId", e.transactionId());
            body.set("request", transactionRequest(e.request()));
            body.put("code", e.code().code());
            body.put("message", e.message());
            if (e.failedEntry() == null) {
                body.putNull("failedEntry");
            } else {
                body.put("failedEntry", e.failedEntry().intValue());
            }
        } else if (event instanceof PendingTransactionPosted e) {
            body.put("transactionId", e.transactionId());
        } else if (event instanceof PendingTransactionVoided e) {
            body.put("transactionId", e.transactionId());
        } else if (event instanceof PendingTransactionExpired e) {
            body.put("transactionId", e.transactionId());
        } else if (event instanceof TransactionReversed e) {
            body.put("transactionId", e.transactionId());
            body.put("reversalId", e.reversalId());
            body.put("forced", e.forced());
        } else if (event instanceof TransferRecorded e) {
            body.put("transferId", e.transferId());
            body.set("request", request(e.request()));
            body.put("expiresAt", e.expiresAt() == null ? null : e.expiresAt().toString());
            // Only for a sharded account's leg (issue 13), so transfers between other accounts keep their bytes.
            if (e.debitShard() != 0) {
                body.put("debitShard", e.debitShard());
            }
            if (e.creditShard() != 0) {
                body.put("creditShard", e.creditShard());
            }
        } else if (event instanceof TransferRejected e) {
            body.put("transferId", e.transferId());
            body.set("request", request(e.request()));
            body.put("code", e.code().code());
            body.put("message", e.message());
        } else if (event instanceof PendingTransferPosted e) {
            body.put("transferId", e.transferId());
            putAmount(body, "postedAmount", e.postedAmount());
            putAmount(body, "releasedAmount", e.releasedAmount());
            if (e.requested() != null) {
                body.put(REQUESTED_AMOUNT, postRequest(e.requested()));
            }
        } else if (event instanceof PendingTransferVoided e) {
            body.put("transferId", e.transferId());
            putAmount(body, "amount", e.amount());
        } else if (event instanceof PendingTransferExpired e) {
            body.put("transferId", e.transferId());
            putAmount(body, "amount", e.amount());
        } else if (event instanceof TransferReversed e) {
            body.put("transferId", e.transferId());
            body.put("reversalId", e.reversalId());
            putAmount(body, "amount", e.amount());
            body.put("forced", e.forced());
        } else if (event instanceof ReversalRecorded e) {
            body.put("reversalId", e.reversalId());
            body.set("request", reversalRequest(e.request()));
            if (e.amount() == null) {
                body.putNull("amount");
            } else {
                putAmount(body, "amount", e.amount());
            }
            body.set("legs", reversalLegs(e.legs(), e.amount() == null));
        } else if (event instanceof ReversalRejected e) {
            body.put("reversalId", e.reversalId());
            body.set("request", reversalRequest(e.request()));
            body.put("code", e.code().code());
            body.put("message", e.message());
        } else if (event instanceof BatchRecorded e) {
            body.put("batchId", e.batchId());
            body.put("atomic", e.atomic());
            body.put("digest", e.digest());
            body.set("items", batchItems(e.items()));
        } else if (event instanceof BatchRejected e) {
            body.put("batchId", e.batchId());
            body.put("digest", e.digest());
            body.put("itemCount", e.itemCount());
            body.put("code", e.code().code());
            body.put("message", e.message());
            body.put("failedItem", e.failedItem());
            if (e.failedEntry() == null) {
                body.putNull("failedEntry");
            } else {
                body.put("failedEntry", e.failedEntry().intValue());
            }
        }
        return new Encoded(type, SCHEMA_VERSION, body);
    }

    /** Stored type names are literals: renaming a class must never rename what is in the log. */
    private static String typeOf(LedgerEvent event) {
        if (event instanceof AccountOpened) {
            return "AccountOpened";
        } else if (event instanceof AccountFrozen) {
            return "AccountFrozen";
        } else if (event instanceof AccountMetadataSet) {
            return "AccountMetadataSet";
        } else if (event instanceof AccountUnfrozen) {
            return "AccountUnfrozen";
        } else if (event instanceof AccountClosed) {
            return "AccountClosed";
        } else if (event instanceof AccountSharded) {
            return "AccountSharded";
        } else if (event instanceof ShardOpened) {
            return "ShardOpened";
        } else if (event instanceof ShardFundsMoved) {
            return "ShardFundsMoved";
        } else if (event instanceof EntryPosted) {
            return "EntryPosted";
        } else if (event instanceof HoldPlaced) {
            return "HoldPlaced";
        } else if (event instanceof HoldPosted) {
            return "HoldPosted";
        } else if (event instanceof HoldVoided) {
            return "HoldVoided";
        } else if (event instanceof HoldExpired) {
            return "HoldExpired";
        } else if (event instanceof TransferRecorded) {
            return "TransferRecorded";
        } else if (event instanceof TransferRejected) {
            return "TransferRejected";
        } else if (event instanceof PendingTransferPosted) {
            return "PendingTransferPosted";
        } else if (event instanceof PendingTransferVoided) {
            return "PendingTransferVoided";
        } else if (event instanceof PendingTransferExpired) {
            return "PendingTransferExpired";
        } else if (event instanceof TransactionEntriesPosted) {
            return "TransactionEntriesPosted";
        } else if (event instanceof TransactionHoldPlaced) {
            return "TransactionHoldPlaced";
        } else if (event instanceof TransactionHoldPosted) {
            return "TransactionHoldPosted";
        } else if (event instanceof TransactionHoldVoided) {
            return "TransactionHoldVoided";
        } else if (event instanceof TransactionHoldExpired) {
            return "TransactionHoldExpired";
        } else if (event instanceof TransactionRecorded) {
            return "TransactionRecorded";
        } else if (event instanceof TransactionRejected) {
            return "TransactionRejected";
        } else if (event instanceof PendingTransactionPosted) {
            return "PendingTransactionPosted";
        } else if (event instanceof PendingTransactionVoided) {
            return "PendingTransactionVoided";
        } else if (event instanceof PendingTransactionExpired) {
            return "PendingTransactionExpired";
        } else if (event instanceof EntryReversed) {
            return "EntryReversed";
        } else if (event instanceof TransferReversed) {
            return "TransferReversed";
        } else if (event instanceof ReversalRecorded) {
            return "ReversalRecorded";
        } else if (event instanceof TransactionReversed) {
            return "TransactionReversed";
        } else if (event instanceof TransactionEntriesReversed) {
            return "TransactionEntriesReversed";
        } else if (event instanceof ReversalRejected) {
            return "ReversalRejected";
        } else if (event instanceof BatchRecorded) {
            return "BatchRecorded";
        } else if (event instanceof BatchRejected) {
            return "BatchRejected";
        }
        throw new IllegalArgumentException("no stored form for " + event.getClass().getName());
    }

    /** A node's {@code metadata} object as a sorted map; empty if the node has none. */
    static TreeMap<String, String> metadata(JsonNode node) {
        TreeMap<String, String> metadata = new TreeMap<>();
        JsonNode field = node.get("metadata");
        if (field != null && !field.isNull()) {
            field.fields().forEachRemaining(entry -> metadata.put(entry.getKey(), entry.getValue().asText()));
        }
        return metadata;
    }

    public static LedgerEvent decode(String type, int schemaVersion, JsonNode body) {
        if (schemaVersion != SCHEMA_VERSION) {
            throw new IllegalArgumentException("event " + type + " has unknown schema version " + schemaVersion);
        }
        if (AuditCodec.isAuditType(type)) {
            return AuditCodec.decode(type, body);
        }
        return switch (type) {
            case "AccountOpened" -> {
                CurrencyUnit currency = CurrencyUnit.of(text(body, "currency"));
                JsonNode limit = body.get("overdraftLimit");
                yield new AccountOpened(text(body, "accountId"), currency, limit == null || limit.isNull()
                        ? OverdraftLimit.UNLIMITED
                        : OverdraftLimit.of(Money.parse(limit.asText(), currency).minorUnits()));
            }
            case "AccountFrozen" -> new AccountFrozen(text(body, "accountId"));
            case "AccountMetadataSet" -> new AccountMetadataSet(text(body, "accountId"), metadata(body));
            case "AccountUnfrozen" -> new AccountUnfrozen(text(body, "accountId"));
            case "AccountClosed" -> new AccountClosed(text(body, "accountId"));
            case "AccountSharded" -> new AccountSharded(text(body, "accountId"), body.get("shards").asInt());
            case "ShardOpened" -> {
                CurrencyUnit currency = CurrencyUnit.of(text(body, "currency"));
                JsonNode limit = body.get("overdraftLimit");
                yield new ShardOpened(text(body, "accountId"), currency, limit == null || limit.isNull()
                        ? OverdraftLimit.UNLIMITED
                        : OverdraftLimit.of(Money.parse(limit.asText(), currency).minorUnits()), bool(body, "frozen"));
            }
            case "ShardFundsMoved" -> new ShardFundsMoved(text(body, "accountId"), text(body, "moveId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "amount"));
            case "EntryPosted" -> new EntryPosted(text(body, "accountId"), text(body, "transferId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "amount"));
            case "HoldPlaced" -> new HoldPlaced(text(body, "accountId"), text(body, "transferId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "amount"),
                    Instant.parse(text(body, "expiresAt")));
            case "HoldPosted" -> new HoldPosted(text(body, "accountId"), text(body, "transferId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "heldAmount"), amount(body, "postedAmount"));
            case "HoldVoided" -> new HoldVoided(text(body, "accountId"), text(body, "transferId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "amount"));
            case "HoldExpired" -> new HoldExpired(text(body, "accountId"), text(body, "transferId"), side(body),
                    text(body, "counterpartyAccountId"), amount(body, "amount"));
            case "TransferRecorded" -> new TransferRecorded(text(body, "transferId"), request(body.get("request")),
                    body.get("expiresAt").isNull() ? null : Instant.parse(text(body, "expiresAt")),
                    body.has("debitShard") ? body.get("debitShard").asInt() : 0,
                    body.has("creditShard") ? body.get("creditShard").asInt() : 0);
            case "TransferRejected" -> new TransferRejected(text(body, "transferId"), request(body.get("request")),
                    RejectionCode.fromCode(text(body, "code")), text(body, "message"));
            case "PendingTransferPosted" -> new PendingTransferPosted(text(body, "transferId"),
                    amount(body, "postedAmount"), amount(body, "releasedAmount"),
                    body.has(REQUESTED_AMOUNT) ? postRequest(text(body, REQUESTED_AMOUNT),
                            CurrencyUnit.of(text(body, "currency"))) : null);
            case "PendingTransferVoided" -> new PendingTransferVoided(text(body, "transferId"), amount(body, "amount"));
            case "PendingTransferExpired" -> new PendingTransferExpired(text(body, "transferId"),
                    amount(body, "amount"));
            case "TransactionEntriesPosted" -> new TransactionEntriesPosted(text(body, "accountId"),
                    text(body, "transactionId"), entries(body.get("entries")));
            case "TransactionHoldPlaced" -> new TransactionHoldPlaced(text(body, "accountId"),
                    text(body, "transactionId"), entries(body.get("entries")), Instant.parse(text(body, "expiresAt")));
            case "TransactionHoldPosted" -> new TransactionHoldPosted(text(body, "accountId"),
                    text(body, "transactionId"), entries(body.get("entries")));
            case "TransactionHoldVoided" -> new TransactionHoldVoided(text(body, "accountId"),
                    text(body, "transactionId"), entries(body.get("entries")));
            case "TransactionHoldExpired" -> new TransactionHoldExpired(text(body, "accountId"),
                    text(body, "transactionId"), entries(body.get("entries")));
            case "TransactionRecorded" -> new TransactionRecorded(text(body, "transactionId"),
                    transactionRequest(body.get("request")),
                    body.get("expiresAt").isNull() ? null : Instant.parse(text(body, "expiresAt")));
            case "TransactionRejected" -> new TransactionRejected(text(body, "transactionId"),
                    transactionRequest(body.get("request")), RejectionCode.fromCode(text(body, "code")),
                    text(body, "message"), body.get("failedEntry").isNull() ? null : body.get("failedEntry").asInt());
            case "PendingTransactionPosted" -> new PendingTransactionPosted(text(body, "transactionId"));
            case "PendingTransactionVoided" -> new PendingTransactionVoided(text(body, "transactionId"));
            case "PendingTransactionExpired" -> new PendingTransactionExpired(text(body, "transactionId"));
            case "TransactionReversed" -> new TransactionReversed(text(body, "transactionId"),
                    text(body, "reversalId"), bool(body, "forced"));
            case "TransactionEntriesReversed" -> new TransactionEntriesReversed(text(body, "accountId"),
                    text(body, "transactionId"), text(body, "reversalId"), entries(body.get("entries")),
                    bool(body, "forced"));
            case "EntryReversed" -> new EntryReversed(text(body, "accountId"), text(body, "transferId"),
                    text(body, "reversalId"), side(body), text(body, "counterpartyAccountId"), amount(body, "amount"),
                    bool(body, "forced"));
            case "TransferReversed" -> new TransferReversed(text(body, "transferId"), text(body, "reversalId"),
                    amount(body, "amount"), bool(body, "forced"));
            case "ReversalRecorded" -> {
                boolean wholeTransaction = body.get("amount") != null && body.get("amount").isNull();
                yield new ReversalRecorded(text(body, "reversalId"), reversalRequest(body.get("request")),
                        wholeTransaction ? null : amount(body, "amount"),
                        reversalLegs(body.get("legs"), wholeTransaction ? null : CurrencyUnit.of(text(body, "currency"))));
            }
            case "ReversalRejected" -> new ReversalRejected(text(body, "reversalId"),
                    reversalRequest(body.get("request")), RejectionCode.fromCode(text(body, "code")),
                    text(body, "message"));
            case "BatchRecorded" -> new BatchRecorded(text(body, "batchId"), bool(body, "atomic"), text(body, "digest"),
                    batchItems(body.get("items")));
            case "BatchRejected" -> new BatchRejected(text(body, "batchId"), text(body, "digest"),
                    body.get("itemCount").asInt(), RejectionCode.fromCode(text(body, "code")), text(body, "message"),
                    body.get("failedItem").asInt(),
                    body.get("failedEntry").isNull() ? null : body.get("failedEntry").asInt());
            default -> throw new IllegalArgumentException("unknown event type " + type);
        };
    }

    /**
     * The transfer an event belongs to, for the envelope; null for account lifecycle events. A
     * reversal's events belong to the transfer they reverse.
     */
    public static String transferIdOf(LedgerEvent event) {
        if (event instanceof TransferLeg leg) {
            return leg.transferId();
        }
        if (event instanceof ReversalEvent reversal) {
            return reversal.request().originalKind() == OriginalKind.TRANSFER ? reversal.request().originalId() : null;
        }
        return event instanceof TransferEvent transferEvent ? transferEvent.transferId() : null;
    }

    /**
     * A reversal's legs, {@code [{"accountId","side","amount"}]}; with {@code "currency"} on each leg
     * when {@code eachWithCurrency} (a transaction's reversal, whose legs may be in several currencies).
     */
    public static ArrayNode reversalLegs(List<ReversalEvent.Leg> legs, boolean eachWithCurrency) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (ReversalEvent.Leg leg : legs) {
            ObjectNode node = array.addObject().put("accountId", leg.accountId()).put("side", leg.side().name())
                    .put("amount", leg.amount().toDecimalString());
            if (eachWithCurrency) {
                node.put("currency", leg.amount().currency().code());
            }
        }
        return array;
    }

    /** Reads {@link #reversalLegs(List, boolean)}: in {@code currency}, or (null) each leg in its own. */
    public static List<ReversalEvent.Leg> reversalLegs(JsonNode array, CurrencyUnit currency) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("stored reversal lacks the array field legs");
        }
        List<ReversalEvent.Leg> legs = new ArrayList<>();
        for (JsonNode leg : array) {
            legs.add(new ReversalEvent.Leg(text(leg, "accountId"), Side.valueOf(text(leg, "side")),
                    Money.parse(text(leg, "amount"), currency != null ? currency : CurrencyUnit.of(text(leg, "currency")))));
        }
        return legs;
    }

    public static ObjectNode request(TransferRequest request) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("debitAccountId", request.debitAccountId());
        node.put("creditAccountId", request.creditAccountId());
        putAmount(node, "amount", request.amount());
        node.put("pending", request.pending());
        node.put("timeoutSeconds", request.timeoutSeconds());
        ObjectNode metadata = node.putObject("metadata");
        request.metadata().forEach(metadata::put);
        putEffectiveAt(node, request.effectiveAt());
        return node;
    }

    /**
     * {@code "effectiveAt"} (issue 16) only on a request that named one: a request without it keeps the
     * bytes it always had, and a request stored before issue 16 reads back as one without it.
     */
    private static void putEffectiveAt(ObjectNode node, Instant effectiveAt) {
        if (effectiveAt != null) {
            node.put(EFFECTIVE_AT, effectiveAt.toString());
        }
    }

    private static Instant effectiveAt(JsonNode node) {
        JsonNode effectiveAt = node.get(EFFECTIVE_AT);
        return effectiveAt == null || effectiveAt.isNull() ? null : Instant.parse(effectiveAt.asText());
    }

    public static TransferRequest request(JsonNode node) {
        TreeMap<String, String> metadata = new TreeMap<>();
        node.get("metadata").fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        return new TransferRequest(text(node, "debitAccountId"), text(node, "creditAccountId"), amount(node, "amount"),
                node.get("pending").asBoolean(), node.get("timeoutSeconds").asLong(), metadata, effectiveAt(node));
    }

    public static ObjectNode transactionRequest(TransactionRequest request) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set("entries", entries(request.entries()));
        node.put("pending", request.pending());
        node.put("timeoutSeconds", request.timeoutSeconds());
        ObjectNode metadata = node.putObject("metadata");
        request.metadata().forEach(metadata::put);
        putEffectiveAt(node, request.effectiveAt());
        return node;
    }

    /**
     * A reversal request: {@code {"originalKind":"transfer","originalId","amount","currency"?,"force",
     * "metadata"}}; {@code amount} null for all that is reversible (and then no currency).
     */
    public static ObjectNode reversalRequest(ReversalRequest request) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("originalKind", request.originalKind().name().toLowerCase(Locale.ROOT));
        node.put("originalId", request.originalId());
        if (request.amount() == null) {
            node.putNull("amount");
        } else {
            putAmount(node, "amount", request.amount());
        }
        node.put("force", request.force());
        ObjectNode metadata = node.putObject("metadata");
        request.metadata().forEach(metadata::put);
        putEffectiveAt(node, request.effectiveAt());
        return node;
    }

    public static TransactionRequest transactionRequest(JsonNode node) {
        TreeMap<String, String> metadata = new TreeMap<>();
        node.get("metadata").fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        return new TransactionRequest(entries(node.get("entries")), node.get("pending").asBoolean(),
                node.get("timeoutSeconds").asLong(), metadata, effectiveAt(node));
    }

    /** A transaction's entries in order: {@code [{"index","accountId","direction","amount","currency"}]}. */
    private static ArrayNode entries(List<TransactionEntry> entries) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (TransactionEntry entry : entries) {
            ObjectNode node = array.addObject();
            node.put("index", entry.index());
            node.put("accountId", entry.accountId());
            node.put("direction", entry.direction().name());
            putAmount(node, "amount", entry.amount());
        }
        return array;
    }

    private static List<TransactionEntry> entries(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("stored event lacks the array field entries");
        }
        List<TransactionEntry> entries = new ArrayList<>();
        for (JsonNode node : array) {
            entries.add(new TransactionEntry(node.get("index").asInt(), text(node, "accountId"),
                    Side.valueOf(text(node, "direction")), amount(node, "amount")));
        }
        return entries;
    }

    public static ReversalRequest reversalRequest(JsonNode node) {
        TreeMap<String, String> metadata = new TreeMap<>();
        node.get("metadata").fields().forEachRemaining(field -> metadata.put(field.getKey(), field.getValue().asText()));
        JsonNode amount = node.get("amount");
        return new ReversalRequest(OriginalKind.valueOf(text(node, "originalKind").toUpperCase(Locale.ROOT)),
                text(node, "originalId"), amount == null || amount.isNull() ? null : amount(node, "amount"),
                bool(node, "force"), metadata, effectiveAt(node));
    }

    /**
     * A batch's items as it records them: {@code [{"index","kind","id","outcome","digest"?,"code"?,
     * "message"?,"failedEntry"?}]}, the optional fields only where they have a value (a batch of 1,000
     * items stays well inside one 400 KB item).
     */
    public static ArrayNode batchItems(List<ItemOutcome> items) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (ItemOutcome item : items) {
            ObjectNode node = array.addObject();
            node.put("index", item.index());
            node.put("kind", item.kind());
            node.put("id", item.id());
            node.put("outcome", item.outcome().name());
            if (item.digest() != null) {
                node.put("digest", item.digest());
            }
            if (item.code() != null) {
                node.put("code", item.code());
                node.put("message", item.message());
            }
            if (item.failedEntry() != null) {
                node.put("failedEntry", item.failedEntry().intValue());
            }
        }
        return array;
    }

    public static List<ItemOutcome> batchItems(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("stored event lacks the array field items");
        }
        List<ItemOutcome> items = new ArrayList<>();
        for (JsonNode node : array) {
            items.add(new ItemOutcome(node.get("index").asInt(), text(node, "kind"), text(node, "id"),
                    node.has("digest") ? text(node, "digest") : null,
                    BatchEvent.Outcome.valueOf(text(node, "outcome")),
                    node.has("code") ? text(node, "code") : null, node.has("message") ? text(node, "message") : null,
                    node.has("failedEntry") ? node.get("failedEntry").asInt() : null));
        }
        return items;
    }

    /** What a post asked for, in its stored form: {@link #NO_AMOUNT} or the amount's decimal string. */
    public static String postRequest(PostRequest request) {
        return request.isWhole() ? NO_AMOUNT : request.amount().toDecimalString();
    }

    /** Reads {@link #postRequest(PostRequest)}'s form back, the amount in {@code currency}. */
    public static PostRequest postRequest(String stored, CurrencyUnit currency) {
        return NO_AMOUNT.equals(stored) ? PostRequest.whole() : PostRequest.of(Money.parse(stored, currency));
    }

    /** An amount is stored as its decimal string plus the currency, both exact. */
    private static void putAmount(ObjectNode body, String field, Money amount) {
        body.put("currency", amount.currency().code());
        body.put(field, amount.toDecimalString());
    }

    private static Money amount(JsonNode body, String field) {
        return Money.parse(text(body, field), CurrencyUnit.of(text(body, "currency")));
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isBoolean()) {
            throw new IllegalArgumentException("stored event lacks the boolean field " + field);
        }
        return value.asBoolean();
    }

    private static Side side(JsonNode body) {
        return Side.valueOf(text(body, "side"));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("stored event lacks the text field " + field);
        }
        return value.asText();
    }
}
