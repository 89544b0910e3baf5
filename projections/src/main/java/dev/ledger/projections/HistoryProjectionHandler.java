package dev.ledger.projections;

/** The history projection's Lambda, on the ledger's Kinesis stream. */
public final class HistoryProjectionHandler extends ProjectionHandler {

    public HistoryProjectionHandler() {
        super(fromEnvironment(ProjectionCatalog.HISTORY));
    }

    public HistoryProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
