package dev.ledger.benchmarks;

import dev.ledger.projections.ProjectionCatalog;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The template's event-source mapping of each projection of {@link ProjectionCatalog}, by logical id
 * ({@code BalancesProjectionMapping}, ..., {@code MetadataProjectionMapping}): the benchmarks wait for
 * every projection the catalog has, so a projection added there is waited for without a list here to
 * keep in step ({@code infra/template}'s TemplateTest holds the template to the same names).
 */
final class ProjectionMappings {

    private ProjectionMappings() {
    }

    static List<String> ids() {
        return Arrays.stream(ProjectionCatalog.values()).map(ProjectionMappings::id).toList();
    }

    static String id(ProjectionCatalog projection) {
        String label = projection.label();
        return label.substring(0, 1).toUpperCase(Locale.ROOT) + label.substring(1) + "ProjectionMapping";
    }
}
