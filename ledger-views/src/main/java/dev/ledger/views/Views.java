package dev.ledger.views;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.Rejection;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.api.BatchEvent;
import dev.ledger.domain.api.TransactionEntry;
import dev.ledger.domain.batch.BatchState;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.reversal.ReversalState;
import dev.ledger.domain.transaction.TransactionState;
import dev.ledger.domain.transfer.TransferState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** The JSON shapes of the public API. Amounts are always decimal strings in their currency. */
public final class Views {

    private Views() {
    }

    /**
     * {@code {"accountId","currency","overdraftLimit","status","balance","debitsPosted","creditsPosted",
     * "debitsPending","creditsPending","available","metadata","version"}}, and {@code "shards"} for a sharded account
     * (issue 13: shown as a whole, its version the sum of its shards'); an unlimited overdraft shows as
     * null, and so does the available balance of such an account.
     */
    public static ObjectNode account(AccountState account, long version) {
        int digits = account.currency().minorDigits();
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("accountId", account.accountId());
        node.put("currency", account.currency().code());
        node.put("overdraftLimit", account.overdraftLimit().unlimited() ? null
                : Money.toDecimalString(account.overdraftLimit().minorUnits(), digits));
        node.put("status", account.status().name());
        node.put("balance", Money.toDecimalString(account.balance(), digits));
        node.put("debitsPosted", Money.toDecimalString(account.debitsPosted(), digits));
        node.put("creditsPosted", Money.toDecimalString(account.creditsPosted(), digits));
        node.put("debitsPending", Money.toDecimalString(account.debitsPending(), digits));
        node.put("creditsPending", Money.toDecimalString(account.creditsPending(), digits));
        node.put("available", account.overdraftLimit().unlimited() ? null : available(account).toPlainString());
        // Always an object, like a transfer's: {} for an account that has none (issue 16).
        ObjectNode metadata = node.putObject("metadata");
        account.metadata().forEach(metadata::put);
        node.put("version", version);
        // Only a sharded account says how many shards it has, so every other answer keeps its shape.
        if (account.sharded()) {
            node.put("shards", account.shardCount());
        }
        return node;
    }

    /**
     * Available funds, exact: within the largest amount for every account opened since the overdraft
     * limit was bounded, and past it only for an account an older ledger opened with a limit near the
     * largest amount (which {@code replay verify} reports).
     */
    private static BigDecimal available(AccountState account) {
        return new BigDecimal(account.available().orElseThrow(), account.currency().minorDigits());
    }

    /** One status a transfer had: set by which version of its stream, and when that was recorded. */
    public record TransferStatusChange(String status, long version, Instant recordedAt) {
    }

    /**
     * One reversal of a transfer: by which version of its stream, when that was recorded, and when it counts
     * (issue 16; null when its request named no date, and then it counts when it was recorded).
     */
    public record TransferReversal(String reversalId, Money amount, boolean forced, long version, Instant recordedAt,
                                   Instant effectiveAt) {

        /** A reversal without an effective date. */
        public TransferReversal(String reversalId, Money amount, boolean forced, long version, Instant recordedAt) {
            this(reversalId, amount, forced, version, recordedAt, null);
        }
    }

    /** A transfer as the POST that made or settled it answers it: no reversal yet. */
    public static ObjectNode transfer(TransferState transfer, long version, Instant recordedAt,
                                      List<TransferStatusChange> statusHistory) {
        return transfer(transfer, version, recordedAt, statusHistory, List.of());
    }

    /**
     * A transfer as every route answers it, the POST that made or settled it and the GET alike:
     * {@code {"transferId","debitAccountId","creditAccountId","amount","currency","status","postedAmount",
     * "pendingAmount","reversedAmount","reversibleAmount","recordedAt","effectiveAt","expiresAt","metadata","version",
     * "rejectionCode","rejectionMessage","legs","statusHistory","reversals"}}; {@code recordedAt} is when
     * the transfer was first recorded, the rejection fields are null unless it was refused, and
     * {@code expiresAt} is null unless it was a hold. {@code reversals} are
     * {@code {"reversalId","amount","forced","version","recordedAt","effectiveAt"}}, and {@code reversibleAmount} is
     * the posted amount less what they gave back.
     */
    public static ObjectNode transfer(TransferState transfer, long version, Instant recordedAt,
                                      List<TransferStatusChange> statusHistory, List<TransferReversal> reversals) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        String amount = transfer.request().amount().toDecimalString();
        node.put("transferId", transfer.transferId());
        node.put("debitAccountId", transfer.request().debitAccountId());
        node.put("creditAccountId", transfer.request().creditAccountId());
        node.put("amount", amount);
        node.put("currency", transfer.request().amount().currency().code());
        node.put("status", transfer.status().name());
        node.put("postedAmount", transfer.postedAmount().toDecimalString());
        node.put("pendingAmount", transfer.pendingAmount().toDecimalString());
        node.put("reversedAmount", transfer.reversedAmount().toDecimalString());
        node.put("reversibleAmount", transfer.reversibleAmount().toDecimalString());
        node.put("recordedAt", recordedAt.toString());
        node.put("effectiveAt", effectiveAt(transfer.request().effectiveAt(), recordedAt));
        node.put("expiresAt", transfer.expiresAt() == null ? null : transfer.expiresAt().toString());
        ObjectNode metadata = node.putObject("metadata");
        transfer.request().metadata().forEach(metadata::put);
        node.put("version", version);
        node.put("rejectionCode", transfer.rejection() == null ? null : transfer.rejection().code().code());
        node.put("rejectionMessage", transfer.rejection() == null ? null : transfer.rejection().message());
        ArrayNode legs = node.putArray("legs");
        legs.addObject().put("accountId", transfer.request().debitAccountId()).put("side", "DEBIT").put("amount", amount);
        legs.addObject().put("accountId", transfer.request().creditAccountId()).put("side", "CREDIT").put("amount", amount);
        ArrayNode statuses = node.putArray("statusHistory");
        statusHistory.forEach(change -> statuses.addObject().put("status", change.status())
                .put("version", change.version()).put("recordedAt", change.recordedAt().toString()));
        ArrayNode reversed = node.putArray("reversals");
        reversals.forEach(r -> reversed.addObject().put("reversalId", r.reversalId())
                .put("amount", r.amount().toDecimalString()).put("forced", r.forced()).put("version", r.version())
                .put("recordedAt", r.recordedAt().toString())
                .put("effectiveAt", effectiveAt(r.effectiveAt(), r.recordedAt())));
        return node;
    }

    /**
     * A reversal as its POST answers it, the first time and every time it is sent again:
     * {@code {"reversalId","originalKind","originalId","amount","currency","forced","metadata","legs",
     * "recordedAt","effectiveAt"}}; {@code legs} are the account movements {@code {"accountId","side","amount"}}.
     */
    public static ObjectNode reversal(ReversalState reversal, Instant recordedAt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        // A transaction's reversal gives back every entry, perhaps in several currencies: no single amount,
        // and each leg names its currency.
        boolean whole = reversal.amount() == null;
        node.put("reversalId", reversal.reversalId());
        node.put("originalKind", reversal.request().originalKind().name().toLowerCase(java.util.Locale.ROOT));
        node.put("originalId", reversal.request().originalId());
        node.put("amount", whole ? null : reversal.amount().toDecimalString());
        node.put("currency", whole ? null : reversal.amount().currency().code());
        node.put("forced", reversal.request().force());
        ObjectNode metadata = node.putObject("metadata");
        reversal.request().metadata().forEach(metadata::put);
        ArrayNode legs = node.putArray("legs");
        reversal.legs().forEach(leg -> {
            ObjectNode legNode = legs.addObject().put("accountId", leg.accountId())
                    .put("side", leg.side().name()).put("amount", leg.amount().toDecimalString());
            if (whole) {
                legNode.put("currency", leg.amount().currency().code());
            }
        });
        node.put("recordedAt", recordedAt.toString());
        node.put("effectiveAt", effectiveAt(reversal.request().effectiveAt(), recordedAt));
        return node;
    }

    /**
     * When a transfer, transaction or reversal counts for its client (issue 16): the {@code effectiveAt} its
     * request named, else when it was first recorded. Every answer shows it, so a client never has to
     * know whether the request named one.
     */
    static String effectiveAt(Instant named, Instant recordedAt) {
        return (named == null ? recordedAt : named).toString();
    }

    /**
     * The reversal of a transaction: its id, whether forced, and which version of the transaction's stream, when;
     * and when it counts (issue 16; null when its request named no date).
     */
    public record TransactionReversal(String reversalId, boolean forced, long version, Instant recordedAt,
                                      Instant effectiveAt) {

        /** A reversal without an effective date. */
        public TransactionReversal(String reversalId, boolean forced, long version, Instant recordedAt) {
            this(reversalId, forced, version, recordedAt, null);
        }
    }

    /**
     * A multi-leg transaction as every route answers it, the POST that recorded, posted or voided it and
     * the GET alike: {@code {"transactionId","status","entries":[{"index","accountId","direction","amount",
     * "currency"}],"recordedAt","effectiveAt","expiresAt","metadata","version","rejectionCode","rejectionMessage",
     * "failedEntry"}}; {@code direction} is "debit" or "credit" as the request gave it, {@code recordedAt}
     * is when the transaction was first recorded, {@code expiresAt} is null unless it is a hold, and the
     * rejection fields are null unless it was refused ({@code failedEntry} also for a refusal of the whole
     * transaction, such as {@code unbalanced}).
     */
    public static ObjectNode transaction(TransactionState transaction, long version, Instant recordedAt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("transactionId", transaction.transactionId());
        node.put("status", transaction.status().name());
        ArrayNode entries = node.putArray("entries");
        for (TransactionEntry entry : transaction.request().entries()) {
            entries.addObject().put("index", entry.index()).put("accountId", entry.accountId())
                    .put("direction", entry.direction().name().toLowerCase(Locale.ROOT))
                    .put("amount", entry.amount().toDecimalString())
                    .put("currency", entry.amount().currency().code());
        }
        node.put("recordedAt", recordedAt.toString());
        node.put("effectiveAt", effectiveAt(transaction.request().effectiveAt(), recordedAt));
        node.put("expiresAt", transaction.expiresAt() == null ? null : transaction.expiresAt().toString());
        ObjectNode metadata = node.putObject("metadata");
        transaction.request().metadata().forEach(metadata::put);
        node.put("version", version);
        node.put("rejectionCode", transaction.rejection() == null ? null : transaction.rejection().code().code());
        node.put("rejectionMessage", transaction.rejection() == null ? null : transaction.rejection().message());
        node.put("failedEntry", transaction.rejection() == null ? null : transaction.rejection().failedEntry());
        return node;
    }

    /**
     * A transaction as {@code GET /transactions/{id}} answers it: {@link #transaction}'s fields, then
     * {@code "reversed"} (whether a reversal gave it back) and {@code "reversal"}: that reversal
     * {@code {"reversalId","forced","version","recordedAt","effectiveAt"}}, or null. The command routes answer without
     * these two: a transaction is never reversed by the command that answers it.
     */
    public static ObjectNode transactionAsRead(TransactionState transaction, long version, Instant recordedAt,
                                               TransactionReversal reversal) {
        if (reversal == null && transaction.isReversed()) {
            throw new IllegalArgumentException("transaction " + transaction.transactionId()
                    + " is reversed; its answer needs the reversal's version and time");
        }
        ObjectNode node = transaction(transaction, version, recordedAt);
        node.put("reversed", transaction.isReversed());
        if (reversal == null) {
            node.putNull("reversal");
        } else {
            node.putObject("reversal").put("reversalId", reversal.reversalId()).put("forced", reversal.forced())
                    .put("version", reversal.version()).put("recordedAt", reversal.recordedAt().toString())
                    .put("effectiveAt", effectiveAt(reversal.effectiveAt(), reversal.recordedAt()));
        }
        return node;
    }

    /**
     * A batch's record, as {@code GET /batches/{id}} shows it: {@code {"batchId","atomic","status","recordedAt",
     * "itemCount","items":[{"index","type","id","outcome","error","message","failedEntry"}],"rejectionCode",
     * "rejectionMessage","failedItem","failedEntry"}}. {@code status} is {@code RECORDED} or {@code REJECTED} (an
     * atomic batch refused by an item, whose items are then not listed); an item's {@code outcome} is
     * {@code applied} (recorded by this batch), {@code already_applied} (recorded before with the same content)
     * or {@code rejected} (an item of a batch that is not atomic, with its {@code error} and {@code message}).
     * Each item itself reads at {@code GET /transfers/{id}} or {@code GET /transactions/{id}}.
     */
    public static ObjectNode batch(BatchState batch, Instant recordedAt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("batchId", batch.batchId());
        node.put("atomic", batch.atomic());
        node.put("status", batch.isRejected() ? "REJECTED" : "RECORDED");
        node.put("recordedAt", recordedAt.toString());
        node.put("itemCount", batch.itemCount());
        ArrayNode items = node.putArray("items");
        for (BatchEvent.ItemOutcome item : batch.items()) {
            ObjectNode row = items.addObject().put("index", item.index()).put("type", item.kind()).put("id", item.id())
                    .put("outcome", item.outcome().name().toLowerCase(Locale.ROOT));
            if (item.code() != null) {
                row.put("error", item.code()).put("message", item.message());
            }
            if (item.failedEntry() != null) {
                row.put("failedEntry", item.failedEntry().intValue());
            }
        }
        Rejection rejection = batch.rejection();
        node.put("rejectionCode", rejection == null ? null : rejection.code().code());
        node.put("rejectionMessage", rejection == null ? null : rejection.message());
        node.put("failedItem", rejection == null ? null : rejection.failedItem());
        node.put("failedEntry", rejection == null ? null : rejection.failedEntry());
        return node;
    }
}
