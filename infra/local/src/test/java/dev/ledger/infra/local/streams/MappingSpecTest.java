package dev.ledger.infra.local.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ledger.infra.Intrinsics;
import dev.ledger.infra.Template;
import dev.ledger.projections.ProjectionCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class MappingSpecTest {

    private static final String STREAM_ARN = "arn:aws:kinesis:us-east-1:123456789012:stream/ledger";
    private static final String TABLE_STREAM_ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/events/stream/2026-01-01T00:00:00.000";
    private static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:dlq";

    @Test
    void the_project_templates_mappings_evaluate_against_a_deployed_stack() {
        Template template = Template.bundled();
        Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(
                Map.of("Stage", "local", "CodeBucket", "b", "CodeKey", "k"),
                "ledger-local", "us-east-1", "123456789012", Map.of(),
                Map.of("EventsTable.StreamArn", TABLE_STREAM_ARN, "LedgerEventsStream.Arn", STREAM_ARN,
                        "DeadLetterQueue.Arn", QUEUE_ARN)));

        List<MappingSpec> specs = template.eventSourceMappings().stream().map(m -> MappingSpec.of(m, resolver)).toList();

        assertThat(specs).filteredOn(s -> s.kind() == SourceKind.DYNAMODB_STREAMS).singleElement().satisfies(publisher -> {
            assertThat(publisher.id()).isEqualTo("EventPublisherMapping");
            assertThat(publisher.sourceArn()).isEqualTo(TABLE_STREAM_ARN);
            assertThat(publisher.retriesForever()).isTrue();
            assertThat(publisher.maximumRecordAgeSeconds()).isEqualTo(-1);
            assertThat(publisher.onFailureDestinationArn()).isEmpty();
            assertThat(publisher.parallelizationFactor()).isEqualTo(1);
        });
        assertThat(specs).filteredOn(s -> s.kind() == SourceKind.KINESIS).hasSize(ProjectionCatalog.values().length).allSatisfy(projection -> {
            assertThat(projection.sourceArn()).isEqualTo(STREAM_ARN);
            assertThat(projection.onFailureDestinationArn()).contains(QUEUE_ARN);
            assertThat(projection.batchSize()).isEqualTo(100);
            assertThat(projection.startingPosition()).isEqualTo(MappingSpec.StartingPosition.TRIM_HORIZON);
            assertThat(projection.bisectBatchOnFunctionError()).isTrue();
            assertThat(projection.reportBatchItemFailures()).isTrue();
            assertThat(projection.maximumBatchingWindow()).isEqualTo(Duration.ZERO);
            assertThat(projection.parallelizationFactor()).as("the template's default").isEqualTo(10);
        });
    }

    @Test
    void aws_defaults_fill_what_the_template_leaves_out() {
        MappingSpec spec = spec("StartingPosition: LATEST");

        assertThat(spec.batchSize()).isEqualTo(100);
        assertThat(spec.maximumRetryAttempts()).isEqualTo(-1);
        assertThat(spec.maximumRecordAgeSeconds()).isEqualTo(-1);
        assertThat(spec.bisectBatchOnFunctionError()).isFalse();
        assertThat(spec.reportBatchItemFailures()).isFalse();
        assertThat(spec.onFailureDestinationArn()).isEmpty();
        assertThat(spec.enabled()).isTrue();
        assertThat(spec.startingPosition()).isEqualTo(MappingSpec.StartingPosition.LATEST);
        assertThat(spec.parallelizationFactor()).isEqualTo(1);
    }

    @Test
    void takes_the_parallelization_factor_as_written_or_from_a_parameter() {
        assertThat(spec("{StartingPosition: LATEST, ParallelizationFactor: 4}").parallelizationFactor()).isEqualTo(4);
    }

    @Test
    void refuses_what_lambda_refuses_or_the_local_runtime_cannot_do() {
        assertThatThrownBy(() -> spec("{}")).hasMessageContaining("needs a StartingPosition");
        assertThatThrownBy(() -> spec("{StartingPosition: AT_TIMESTAMP}")).hasMessageContaining("AT_TIMESTAMP");
        assertThatThrownBy(() -> spec("{StartingPosition: LATEST, ParallelizationFactor: 11}"))
                .hasMessageContaining("ParallelizationFactor must be 1 to 10");
        assertThatThrownBy(() -> spec("{StartingPosition: LATEST, ParallelizationFactor: 0}"))
                .hasMessageContaining("ParallelizationFactor must be 1 to 10");
        assertThatThrownBy(() -> spec("{StartingPosition: LATEST, MaximumRecordAgeInSeconds: 30}"))
                .hasMessageContaining("MaximumRecordAgeInSeconds");
        assertThatThrownBy(() -> spec("{StartingPosition: LATEST, MaximumRetryAttempts: 10001}"))
                .hasMessageContaining("MaximumRetryAttempts");
        assertThatThrownBy(() -> spec("{StartingPosition: LATEST, BatchSize: 0}")).hasMessageContaining("BatchSize");
    }

    @Test
    void tells_a_table_stream_from_a_kinesis_stream_by_its_arn() {
        assertThat(SourceKind.ofArn(STREAM_ARN)).isEqualTo(SourceKind.KINESIS);
        assertThat(SourceKind.ofArn(TABLE_STREAM_ARN)).isEqualTo(SourceKind.DYNAMODB_STREAMS);
        assertThatThrownBy(() -> SourceKind.ofArn(QUEUE_ARN)).isInstanceOf(IllegalArgumentException.class);
    }

    private static MappingSpec spec(String properties) {
        Template template = Template.parse("""
                Resources:
                  Stream: {Type: AWS::Kinesis::Stream}
                  Role: {Type: AWS::IAM::Role}
                  Consumer:
                    Type: AWS::Lambda::Function
                    Properties: {Handler: a.B::handleRequest, Role: !GetAtt Role.Arn}
                  Mapping:
                    Type: AWS::Lambda::EventSourceMapping
                    Properties: %s
                """.formatted(properties.startsWith("{") ? merge(properties)
                : "{EventSourceArn: !GetAtt Stream.Arn, FunctionName: !Ref Consumer, " + properties + "}"));
        Intrinsics.Resolver resolver = template.resolver(new Template.StackFacts(Map.of(), "s", "us-east-1",
                "123456789012", Map.of("Consumer", "consumer"), Map.of("Stream.Arn", STREAM_ARN)));
        return MappingSpec.of(template.eventSourceMappings().get(0), resolver);
    }

    private static String merge(String properties) {
        String inner = properties.substring(1, properties.length() - 1).trim();
        return "{EventSourceArn: !GetAtt Stream.Arn, FunctionName: !Ref Consumer" + (inner.isEmpty() ? "" : ", " + inner) + "}";
    }
}
