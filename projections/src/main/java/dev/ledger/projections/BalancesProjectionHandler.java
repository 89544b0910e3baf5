package dev.ledger.projections;

/** The balances projection's Lambda, on the ledger's Kinesis stream. */
public final class BalancesProjectionHandler extends ProjectionHandler {

    public BalancesProjectionHandler() {
        super(fromEnvironment(ProjectionCatalog.BALANCES));
    }

    public BalancesProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
