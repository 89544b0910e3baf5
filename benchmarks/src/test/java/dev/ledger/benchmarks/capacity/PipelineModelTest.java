package dev.ledger.benchmarks.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ledger.projections.ProjectionCatalog;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PipelineModelTest {

    private static final double RECORD_BYTES = 400;

    private static double stage(PipelineModel model, String prefix) {
        return model.stages().stream().filter(s -> s.name().startsWith(prefix)).findFirst().orElseThrow()
                .transfersPerSecond();
    }

    @Test
    void asDeployedTheNewOnDemandEventsTableBindsFirst() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);

        assertThat(deployed.binding().name()).isEqualTo("events table writes");
        assertThat(deployed.binding().transfersPerSecond()).isCloseTo(4000.0 / 12, within(1e-9));
    }

    @Test
    void asDeployedKinesisIsANewOnDemandStreamAndTheProjectionsRunTenBatchesPerShard() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);

        assertThat(deployed.kinesisOnDemand()).isTrue();
        assertThat(deployed.parallelization()).isEqualTo(10);
        assertThat(stage(deployed, "Kinesis writes")).isCloseTo(4000.0 / 3, within(1e-9));
        assertThat(stage(deployed.withKinesisShards(1), "Kinesis writes")).isCloseTo(1000.0 / 3, within(1e-9));
    }

    @Test
    void parallelizationMultipliesEveryProjectionByItsFactor() {
        PipelineModel one = PipelineModel.asDeployed(RECORD_BYTES).withProjectionParallelization(1);
        PipelineModel ten = one.withProjectionParallelization(10);

        for (ProjectionCatalog projection : ProjectionCatalog.values()) {
            String name = projection.label() + " projection";
            assertThat(stage(ten, name)).as(name).isCloseTo(10 * stage(one, name), within(1e-6));
        }
    }

    @Test
    void everyProjectionOfTheCatalogHasAStageAndReadsTheStreamAsOneMoreStandardConsumer() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);
        int projections = ProjectionCatalog.values().length;

        assertThat(deployed.stages()).extracting(PipelineModel.Stage::name)
                .contains(Arrays.stream(ProjectionCatalog.values()).map(p -> p.label() + " projection")
                        .toArray(String[]::new));
        // A new on-demand stream reads like 4 shards of 2 MiB/s, shared by every projection's mapping.
        assertThat(stage(deployed, "Kinesis reads")).isCloseTo(4 * 2 * 1_048_576.0 / (projections * 3 * RECORD_BYTES),
                within(1e-9));
        // Each projection runs PF 10 batches on each of the 4 shards; the publisher one per stream shard (4).
        assertThat(deployed.stages()).filteredOn(s -> s.name().equals("command Lambda")).singleElement()
                .extracting(PipelineModel.Stage::restsOn).asString()
                .contains("less " + (4 + projections * 4 * 10) + " consumer executions");
    }

    @Test
    void theMetadataIndexCostsThreeCursorReadsTwoPutsAndOneTransactionPerTransfer() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);
        double ms = 3 * PipelineModel.GET_ITEM_MEAN_MS + 2 * PipelineModel.PUT_ITEM_MEAN_MS
                + PipelineModel.TRANSACT_MEAN_MS;
        double transfersPerBatch = 100 / 3.0;

        assertThat(PipelineModel.metadataMsPerTransfer()).isEqualTo(ms);
        assertThat(stage(deployed, "metadata projection"))
                .isCloseTo(4 * 10 * transfersPerBatch / ((10 + transfersPerBatch * ms) / 1000), within(1e-6));
    }

    @Test
    void theProjectionsFactorLeavesThePublisherAtOneBatchPerStreamShard() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);
        PipelineModel hot = deployed.withHotShards(1);

        assertThat(stage(deployed.withProjectionParallelization(1), "publisher")).isEqualTo(stage(deployed, "publisher"));
        assertThat(stage(hot.withProjectionParallelization(1), "publisher")).isEqualTo(stage(hot, "publisher"));
        assertThat(stage(hot.withHotShards(16), "publisher")).isGreaterThan(3 * stage(hot, "publisher"));
    }
}
