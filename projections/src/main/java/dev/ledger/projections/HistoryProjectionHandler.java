package dev.ledger.projections;

/** The history projection's Lambda, on the ledger's Kinesis stream. */
public final class HistoryProjectionHandler extends ProjectionHandler {

    public static final String TABLE = "LEDGER_HISTORY_TABLE";

    public HistoryProjectionHandler() {
        super(fromEnvironment(TABLE, HistoryProjection::new));
    }

    public HistoryProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
