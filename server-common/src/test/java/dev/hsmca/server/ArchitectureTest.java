package dev.hsmca.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * What both Micronaut servers share, enforced: it sits below them both, so it knows neither (nor the client), and it
 * holds no store code (each server maps the shared schema with its own rows). See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.server");

    @Test
    void knowsNeitherServer() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.hsmca.appliance..", "dev.hsmca.ocsp..", "dev.hsmca.client..")
                .check(CLASSES);
    }

    @Test
    void noStoreCode() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.micronaut.data..", "java.sql..", "javax.sql..")
                .check(CLASSES);
    }
}
