package dev.hsmca.appliance;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The appliance's structure, enforced: web edge → services → policy authority → domain → store, with the X.509 helpers and the core
 * library below everything; no package cycles at any depth; HTTP only at the edge. See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.appliance");

    static final String[] SERVICES = {"..appliance.audit..", "..appliance.ca..", "..appliance.crl..",
            "..appliance.enrollment..", "..appliance.health..", "..appliance.hsm..", "..appliance.issuance..",
            "..appliance.jobs..", "..appliance.metrics..", "..appliance.ocsp..", "..appliance.registry..", "..appliance.acme..",
            "..appliance.revocation..", "..appliance.setup.."};

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("dev.hsmca.appliance.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void layersPointDownOnly() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Entry").definedBy("dev.hsmca.appliance")
                .layer("Cli").definedBy("..appliance.cli..")
                .layer("Web").definedBy("..appliance.web..")
                .layer("Services").definedBy(SERVICES)
                .layer("Policy").definedBy("..appliance.policy..")
                .layer("Domain").definedBy("..appliance.domain..")
                .layer("Store").definedBy("..appliance.store..")
                .layer("X509").definedBy("..appliance.x509..")
                .whereLayer("Entry").mayNotBeAccessedByAnyLayer()
                .whereLayer("Cli").mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Web").mayNotBeAccessedByAnyLayer()
                .whereLayer("Services").mayOnlyBeAccessedByLayers("Web", "Cli", "Services")
                .whereLayer("Policy").mayOnlyBeAccessedByLayers("Web", "Cli", "Services")
                .whereLayer("Domain").mayOnlyBeAccessedByLayers("Web", "Cli", "Services", "Policy")
                .whereLayer("Store").mayOnlyBeAccessedByLayers("Web", "Cli", "Services", "Policy", "Domain")
                .check(CLASSES);
    }

    @Test
    void httpStaysAtTheEdge() {
        noClasses().that().resideOutsideOfPackages("..appliance.web..", "..appliance.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.micronaut.http..")
                .because("the domain speaks PkiException kinds; only the web edge knows HTTP statuses")
                .check(CLASSES);
    }

    @Test
    void theStoreKnowsNothingAboveIt() {
        noClasses().that().resideInAPackage("..appliance.store..")
                .should().dependOnClassesThat().resideInAnyPackage("..appliance.domain..", "..appliance.issuance..",
                        "..appliance.web..")
                .check(CLASSES);
    }

    @Test
    void theAcmeServicesTakeCommandsNotTheJws() {
        noClasses().that().resideInAPackage("..appliance.acme..")
                .should().dependOnClassesThat(resideInAnyPackage("..appliance.web..", "com.nimbusds.jose.crypto..")
                        .or(simpleNameStartingWith("JWS")).or(simpleName("JSONObjectUtils")))
                .because("the ACME wire (JWS, nonces, the payloads' JSON) is read in web.acme; the services take typed commands")
                .check(CLASSES);
    }
}
