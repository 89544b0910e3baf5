package dev.ledger.store;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The log builds on the domain and on nothing else of ours: the command side, projections and tools build on it. */
@AnalyzeClasses(packages = "dev.ledger.store", importOptions = ImportOption.DoNotIncludeTests.class)
class StoreArchitectureTest {

    @ArchTest
    static final ArchRule onlyTheDomainAndItself = noClasses().should().dependOnClassesThat(
                    resideInAPackage("dev.ledger..")
                            .and(resideOutsideOfPackages("dev.ledger.store..", "dev.ledger.domain..")))
            .because("ledger-store is the log's stored form; handlers, projections and tools depend on it, "
                    + "never the other way");

    @ArchTest
    static final ArchRule noLambdaRuntime = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("com.amazonaws..")
            .because("the log is storage, not a Lambda function");
}
