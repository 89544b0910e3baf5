package dev.ledger.projections;

/** The balances projection's Lambda, on the ledger's Kinesis stream. */
public final class BalancesProjectionHandler extends ProjectionHandler {

    public static final String TABLE = "LEDGER_BALANCES_TABLE";

    public BalancesProjectionHandler() {
        super(fromEnvironment(TABLE, BalancesProjection::new));
    }

    public BalancesProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
