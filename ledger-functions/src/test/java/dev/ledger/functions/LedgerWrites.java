package dev.ledger.functions;

import dev.ledger.functions.LedgerFixture.Reply;

/**
 * The writes a test ledger is seeded with, as the payments role, through whatever reaches the
 * command API: {@link LedgerFixture}'s handler in-process, or the local stack over HTTP. One seed
 * (such as the hostile corpus') then serves both.
 */
public interface LedgerWrites {

    /** POSTs the body (null for none) to the path as the payments role, and returns the answer. */
    Reply post(String path, String body);

    default Reply openAccount(String id, String currency, String overdraftLimitJson) {
        return post("/accounts", "{\"accountId\":\"" + id + "\",\"currency\":\"" + currency + "\""
                + (overdraftLimitJson == null ? "" : ",\"overdraftLimit\":" + overdraftLimitJson) + "}");
    }

    default Reply transfer(String id, String debit, String credit, String amount, String currency) {
        return post("/transfers", "{\"transferId\":\"" + id + "\",\"debitAccountId\":\"" + debit
                + "\",\"creditAccountId\":\"" + credit + "\",\"amount\":\"" + amount + "\",\"currency\":\""
                + currency + "\"}");
    }
}
