package dev.ledger.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ledger.infra.Template;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionMappingsTest {

    @Test
    void theBenchmarksWaitForExactlyTheTemplatesKinesisMappingsOneProjectionOfTheCatalogEach() {
        List<String> kinesisMappings = Template.bundled().eventSourceMappings().stream()
                .filter(mapping -> !mapping.readsDynamoDbStream()).map(Template.EventSourceMapping::logicalId).toList();

        assertThat(ProjectionMappings.ids()).containsExactlyInAnyOrderElementsOf(kinesisMappings)
                .contains("MetadataProjectionMapping");
    }
}
