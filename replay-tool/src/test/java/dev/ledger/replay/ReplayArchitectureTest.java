package dev.ledger.replay;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** An operators' tool over the log and the projections' folding code: no HTTP, no command side. */
@AnalyzeClasses(packages = "dev.ledger.replay", importOptions = ImportOption.DoNotIncludeTests.class)
class ReplayArchitectureTest {

    @ArchTest
    static final ArchRule noHttpPlumbingNorCommandSide = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.ledger.http..", "dev.ledger.functions..", "dev.ledger.projections.api..")
            .because("the replay tool reads and rebuilds from the log; it prints an account with ledger-views");
}
