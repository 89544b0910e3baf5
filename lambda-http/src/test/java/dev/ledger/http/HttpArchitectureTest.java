package dev.ledger.http;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The plumbing both APIs share knows HTTP, tokens and the domain's money, and nothing of what the
 * APIs do: not the log, not the command side, not the projections.
 */
@AnalyzeClasses(packages = {"dev.ledger.http", "dev.ledger.lambda"}, importOptions = ImportOption.DoNotIncludeTests.class)
class HttpArchitectureTest {

    @ArchTest
    static final ArchRule onlyTheDomainAndItself = noClasses().should().dependOnClassesThat(
                    resideInAPackage("dev.ledger..")
                            .and(resideOutsideOfPackages("dev.ledger.http..", "dev.ledger.lambda..",
                                    "dev.ledger.domain..")))
            .because("lambda-http is under both APIs; ledger-store, ledger-functions and projections build on it, "
                    + "never the other way");
}
