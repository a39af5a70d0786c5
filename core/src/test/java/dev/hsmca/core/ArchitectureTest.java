package dev.hsmca.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The core library's structure, enforced: the JDK, BouncyCastle and the SLF4J facade only (no framework: both
 * servers and the CLI link it, and so would a library user); OCSP encoding over the key-backend seam, which knows
 * nothing above it; no package cycles. See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.core", "dev.hsmca.hsm");

    @Test
    void noFramework() {
        classes()
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "dev.hsmca.core..", "dev.hsmca.hsm..", "java..", "javax..", "org.bouncycastle..", "org.slf4j..")
                .because("core is plain Java: no Micronaut, jakarta.inject, Micrometer or Netty")
                .check(CLASSES);
    }

    @Test
    void theKeyBackendSeamKnowsNothingAboveIt() {
        noClasses()
                .that()
                .resideInAPackage("dev.hsmca.hsm..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.hsmca.core..")
                .because("OCSP encoding and the shared enums use the seam, not the other way round")
                .check(CLASSES);
    }

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("dev.hsmca.(**)").should().beFreeOfCycles().check(CLASSES);
    }
}
