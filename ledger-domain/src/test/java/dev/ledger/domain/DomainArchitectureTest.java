package dev.ledger.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The domain is pure: money, rules and Axon's aggregate modelling, nothing that does I/O. */
@AnalyzeClasses(packages = "dev.ledger.domain", importOptions = ImportOption.DoNotIncludeTests.class)
class DomainArchitectureTest {

    @ArchTest
    static final ArchRule noAwsSdkLambdaOrJackson = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("software.amazon..", "com.amazonaws..", "com.fasterxml.jackson..",
                    "tools.jackson..")
            .because("storage and transport belong to ledger-store and ledger-functions, not the domain");

    @ArchTest
    static final ArchRule noIo = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("java.io..", "java.nio..", "java.net..", "java.sql..", "javax.sql..",
                    "java.net.http..")
            .because("the domain decides; adapters read and write");

    @ArchTest
    static final ArchRule noAxonInfrastructure = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("org.axonframework.axonserver..", "org.axonframework.spring..",
                    "org.axonframework.config..", "org.axonframework.eventhandling.pooled..",
                    "org.axonframework.eventhandling.tokenstore..")
            .because("Axon is used for aggregate modelling only: no Axon Server, Spring or event processors");

    @ArchTest
    static final ArchRule noWallClock = noClasses().should().callMethod(java.time.Instant.class, "now")
            .orShould().callMethod(java.util.UUID.class, "randomUUID")
            .orShould().callMethod(System.class, "currentTimeMillis")
            .because("time and ids come in as parameters, so a replay gives byte-identical state");
}
