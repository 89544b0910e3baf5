package dev.ledger.projections;

/** The transfers projection's Lambda, on the ledger's Kinesis stream. */
public final class TransfersProjectionHandler extends ProjectionHandler {

    public TransfersProjectionHandler() {
        super(fromEnvironment(ProjectionCatalog.TRANSFERS));
    }

    public TransfersProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
