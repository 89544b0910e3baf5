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
    void asDeployedTheHistoryProjectionBindsFirst() {
        PipelineModel deployed = PipelineModel.asDeployed(RECORD_BYTES);

        assertThat(deployed.binding().name()).isEqualTo("history projection");
    }

    @Test
    void oneKinesisShardCarriesAThousandRecordsThatIsAThirdAsManyTransfers() {
        assertThat(stage(PipelineModel.asDeployed(RECORD_BYTES), "Kinesis writes")).isCloseTo(1000.0 / 3, within(1e-9));
        assertThat(stage(PipelineModel.asDeployed(RECORD_BYTES).withKinesisShards(4), "Kinesis writes"))
                .isCloseTo(4000.0 / 3, within(1e-9));
    }

    @Test
    void aNewOnDemandTableTakesTwelveWriteUnitsPerTransfer() {
        assertThat(stage(PipelineModel.asDeployed(RECORD_BYTES), "events table")).isCloseTo(4000.0 / 12, within(1e-9));
    }

    @Test
    void parallelizationMultipliesEveryProjectionByItsFactor() {
        PipelineModel one = PipelineModel.asDeployed(RECORD_BYTES);
        PipelineModel ten = one.withParallelization(10);

        for (String projection : new String[] {"balances", "history", "transfers"}) {
            assertThat(stage(ten, projection)).as(projection).isCloseTo(10 * stage(one, projection), within(1e-6));
        }
    }

    @Test
    void parallelizationDoesNotHelpThePublisherWithOneUnshardedHotAccount() {
        PipelineModel hot = PipelineModel.asDeployed(RECORD_BYTES).withHotShards(1);

        assertThat(stage(hot.withParallelization(10), "publisher")).isEqualTo(stage(hot, "publisher"));
        assertThat(stage(hot.withHotShards(16), "publisher")).isGreaterThan(4 * stage(hot, "publisher"));
    }
}
