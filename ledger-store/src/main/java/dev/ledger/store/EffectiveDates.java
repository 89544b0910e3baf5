package dev.ledger.store;

import dev.ledger.domain.api.AccountEvent.EntryReversed;
import dev.ledger.domain.api.AccountEvent.TransactionEntriesReversed;
import dev.ledger.domain.api.AccountEvent.TransactionLeg;
import dev.ledger.domain.api.AccountEvent.TransferLeg;
import dev.ledger.domain.api.LedgerEvent;
import dev.ledger.domain.api.ReversalEvent.ReversalRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionRecorded;
import dev.ledger.domain.api.TransactionEvent.TransactionReversed;
import dev.ledger.domain.api.TransferEvent.TransferRecorded;
import dev.ledger.domain.api.TransferEvent.TransferReversed;
import dev.ledger.domain.ledger.StreamChange;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which events of one append carry an effective date (issue 16), and which: the one owner of that rule.
 * A transfer, transaction or reversal that named {@code effectiveAt} gives it to every event its own
 * append wrote for it: its record and each account's leg. Anything a later append writes for it (a hold's
 * post, void or expiry) counts when it is recorded, and so does every event of a request that named none.
 * Events are matched by the id they carry, so the items of one batch each keep their own date.
 */
final class EffectiveDates {

    private final Map<String, Instant> byRequest;

    private EffectiveDates(Map<String, Instant> byRequest) {
        this.byRequest = byRequest;
    }

    static EffectiveDates of(List<StreamChange> changes) {
        Map<String, Instant> byRequest = new HashMap<>();
        for (StreamChange change : changes) {
            for (LedgerEvent event : change.events()) {
                if (event instanceof TransferRecorded e && e.request().effectiveAt() != null) {
                    byRequest.put(transfer(e.transferId()), e.request().effectiveAt());
                } else if (event instanceof TransactionRecorded e && e.request().effectiveAt() != null) {
                    byRequest.put(transaction(e.transactionId()), e.request().effectiveAt());
                } else if (event instanceof ReversalRecorded e && e.request().effectiveAt() != null) {
                    byRequest.put(reversal(e.reversalId()), e.request().effectiveAt());
                }
            }
        }
        return new EffectiveDates(byRequest);
    }

    /** An append without effective dates (the benchmarks' seeder writes only such). */
    static EffectiveDates none() {
        return new EffectiveDates(Map.of());
    }

    /** The effective date {@code event} is stored with, or null: it counts when it is recorded. */
    Instant of(LedgerEvent event) {
        if (byRequest.isEmpty()) {
            return null;
        }
        String request;
        if (event instanceof EntryReversed e) {
            request = reversal(e.reversalId());
        } else if (event instanceof TransactionEntriesReversed e) {
            request = reversal(e.reversalId());
        } else if (event instanceof TransferReversed e) {
            request = reversal(e.reversalId());
        } else if (event instanceof TransactionReversed e) {
            request = reversal(e.reversalId());
        } else if (event instanceof ReversalRecorded e) {
            request = reversal(e.reversalId());
        } else if (event instanceof TransferRecorded e) {
            request = transfer(e.transferId());
        } else if (event instanceof TransferLeg e) {
            request = transfer(e.transferId());
        } else if (event instanceof TransactionRecorded e) {
            request = transaction(e.transactionId());
        } else if (event instanceof TransactionLeg e) {
            request = transaction(e.transactionId());
        } else {
            return null;
        }
        return byRequest.get(request);
    }

    private static String transfer(String id) {
        return "transfer:" + id;
    }

    private static String transaction(String id) {
        return "transaction:" + id;
    }

    private static String reversal(String id) {
        return "reversal:" + id;
    }
}
