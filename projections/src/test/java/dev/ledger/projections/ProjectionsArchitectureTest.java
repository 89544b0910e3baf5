package dev.ledger.projections;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The projections fold the log; only their read API speaks HTTP. The replay tool runs the same
 * folding code, so it must not need the HTTP plumbing, nor anything of the command side.
 */
@AnalyzeClasses(packages = "dev.ledger.projections", importOptions = ImportOption.DoNotIncludeTests.class)
class ProjectionsArchitectureTest {

    @ArchTest
    static final ArchRule onlyTheReadApiSpeaksHttp = noClasses().that().resideOutsideOfPackage("dev.ledger.projections.api..")
            .should().dependOnClassesThat().resideInAPackage("dev.ledger.http..")
            .because("the folding code and the projection handlers are used by the replay tool, which has no HTTP");

    @ArchTest
    static final ArchRule nothingOfTheWriteSide = noClasses().should().dependOnClassesThat()
            .resideInAPackage("dev.ledger.functions..")
            .because("projections read the log's stored form (ledger-store), never the command side");
}
