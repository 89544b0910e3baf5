package dev.ledger.functions.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ledger.domain.account.AccountState;
import dev.ledger.domain.money.Money;
import dev.ledger.domain.transfer.TransferState;
import java.math.BigDecimal;
import java.time.Instant;

/** The JSON shapes of the public API. Amounts are always decimal strings in their currency. */
public final class Views {

    private Views() {
    }

    /**
     * {@code {"accountId","currency","overdraftLimit","status","balance","debitsPosted","creditsPosted",
     * "debitsPending","creditsPending","available","version"}}; an unlimited overdraft shows as null,
     * and so does the available balance of such an account.
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
        node.put("version", version);
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

    /**
     * {@code {"transferId","debitAccountId","creditAccountId","amount","currency","status","postedAmount",
     * "recordedAt","expiresAt","metadata"}}; {@code recordedAt} is when the transfer was first recorded.
     */
    public static ObjectNode transfer(TransferState transfer, Instant recordedAt) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("transferId", transfer.transferId());
        node.put("debitAccountId", transfer.request().debitAccountId());
        node.put("creditAccountId", transfer.request().creditAccountId());
        node.put("amount", transfer.request().amount().toDecimalString());
        node.put("currency", transfer.request().amount().currency().code());
        node.put("status", transfer.status().name());
        node.put("postedAmount", transfer.postedAmount().toDecimalString());
        node.put("recordedAt", recordedAt.toString());
        node.put("expiresAt", transfer.expiresAt() == null ? null : transfer.expiresAt().toString());
        ObjectNode metadata = node.putObject("metadata");
        transfer.request().metadata().forEach(metadata::put);
        return node;
    }
}
