package dev.ledger.domain.api;

import java.util.Objects;

/**
 * One item of a batch: a new transfer or a new multi-leg transaction, each under its own id, which
 * stays its own idempotency key inside the batch.
 */
public sealed interface BatchItem {

    /** The item's id in its own id space (a transfer id, a transaction id). */
    String id();

    /** How the API and the stored form name the item's kind: {@code transfer} or {@code transaction}. */
    String kind();

    /** The stream the item records itself in. */
    StreamId stream();

    record TransferItem(String transferId, TransferRequest request) implements BatchItem {
        public TransferItem {
            Objects.requireNonNull(transferId, "transferId");
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String id() {
            return transferId;
        }

        @Override
        public String kind() {
            return "transfer";
        }

        @Override
        public StreamId stream() {
            return StreamId.transfer(transferId);
        }
    }

    record TransactionItem(String transactionId, TransactionRequest request) implements BatchItem {
        public TransactionItem {
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(request, "request");
        }

        @Override
        public String id() {
            return transactionId;
        }

        @Override
        public String kind() {
            return "transaction";
        }

        @Override
        public StreamId stream() {
            return StreamId.transaction(transactionId);
        }
    }
}
