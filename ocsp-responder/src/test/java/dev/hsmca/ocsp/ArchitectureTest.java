package dev.hsmca.ocsp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The responder's structure, enforced: the entry point → web (HTTP) → responder (the assembled chain and its lane) →
 * source (the links of the chain) → store (read-only rows); no package cycles; HTTP only in web; never the appliance.
 * See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.ocsp");

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("dev.hsmca.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void layersPointDownOnly() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Entry")
                .definedBy("dev.hsmca.ocsp")
                .layer("Web")
                .definedBy("dev.hsmca.ocsp.web..")
                .layer("Responder")
                .definedBy("dev.hsmca.ocsp.responder..")
                .layer("Source")
                .definedBy("dev.hsmca.ocsp.source..")
                .layer("Store")
                .definedBy("dev.hsmca.ocsp.store..")
                .whereLayer("Entry")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Web")
                .mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Responder")
                .mayOnlyBeAccessedByLayers("Web")
                .whereLayer("Source")
                .mayOnlyBeAccessedByLayers("Web", "Responder")
                .whereLayer("Store")
                .mayOnlyBeAccessedByLayers("Web", "Responder", "Source")
                .check(CLASSES);
    }

    @Test
    void httpStaysInWeb() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.hsmca.ocsp.web..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.micronaut.http..", "io.netty..")
                .because("the chain answers with an Answer; only web knows HTTP and Netty")
                .check(CLASSES);
    }

    @Test
    void theResponderNeverLinksTheAppliance() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.hsmca.appliance..", "dev.hsmca.client..")
                .because("it shares the schema with the appliance, not code (docs/architecture.md)")
                .check(CLASSES);
    }
}
