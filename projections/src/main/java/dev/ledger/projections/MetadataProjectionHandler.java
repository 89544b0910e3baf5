package dev.ledger.projections;

/** The metadata index's Lambda, on the ledger's Kinesis stream. */
public final class MetadataProjectionHandler extends ProjectionHandler {

    public MetadataProjectionHandler() {
        super(fromEnvironment(ProjectionCatalog.METADATA));
    }

    public MetadataProjectionHandler(ProjectionConsumer consumer) {
        super(consumer);
    }
}
