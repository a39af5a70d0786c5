package dev.hsmca.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The client's structure, enforced: no server code (it runs on the services' hosts, beside their own frameworks), and
 * the library without the agent's command line (picocli is an optional dependency a library user does not have).
 * See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.client");

    @Test
    void noServerCode() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hsmca.appliance..",
                        "dev.hsmca.ocsp..",
                        "dev.hsmca.server..",
                        "dev.hsmca.hsm..",
                        "io.micronaut..",
                        "io.netty..",
                        "jakarta..")
                .because("the client talks to the appliance over HTTPS only")
                .check(CLASSES);
    }

    @Test
    void theLibraryDoesNotNeedTheAgent() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.hsmca.client.agent..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.hsmca.client.agent..", "picocli..")
                .because("picocli is optional: only pki-agent's command line uses it")
                .check(CLASSES);
    }

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("dev.hsmca.(**)").should().beFreeOfCycles().check(CLASSES);
    }
}
