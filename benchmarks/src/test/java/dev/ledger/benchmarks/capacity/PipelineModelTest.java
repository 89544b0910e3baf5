package dev.ledger.benchmarks.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

        for (String projection : new String[] {"balances", "history", "transfers"}) {
            assertThat(stage(ten, projection)).as(projection).isCloseTo(10 * stage(one, projection), within(1e-6));
        }
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
