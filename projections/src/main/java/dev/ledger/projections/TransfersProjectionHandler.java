package dev.ledger.projections;

/** The transfers projection's Lambda, on the ledger's Kinesis stream. */
public final class TransfersProjectionHandler extends ProjectionHandler {

    public static final String TABLE = "LEDGER_TRANSFERS_TABLE";

    public TransfersProjectionHandler() {
        super(fromEnvironment(TABLE, TransfersProjection::new));
    }

    public TransfersProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
