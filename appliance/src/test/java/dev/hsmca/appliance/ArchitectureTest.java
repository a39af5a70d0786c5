package dev.hsmca.appliance;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.ENUMS;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.RECORDS;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.store.AuditPendingRepository;
import dev.hsmca.appliance.store.AuditRepository;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.CertificateStore;
import dev.hsmca.appliance.store.CrlRepository;
import dev.hsmca.appliance.store.CrlStateRepository;
import dev.hsmca.appliance.store.GroupCommit;
import dev.hsmca.appliance.store.InstallTokenRepository;
import dev.hsmca.appliance.store.JobLockRepository;
import dev.hsmca.appliance.store.MetricsRepository;
import dev.hsmca.appliance.store.PresignedResponseRepository;
import dev.hsmca.appliance.store.ServiceRepository;
import dev.hsmca.appliance.store.WorkloadServiceRepository;
import dev.hsmca.appliance.store.WorkloadTokenRepository;
import org.junit.jupiter.api.Test;

/**
 * The appliance's structure, enforced: web edge → services → policy authority → domain → store, with the X.509 helpers and the core
 * library below everything; no package cycles at any depth; HTTP only at the edge; the edge holds no repository, and a
 * table's repository belongs to the services that own the table. See docs/architecture.md.
 */
class ArchitectureTest {
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.hsmca.appliance");

    static final String[] SERVICES = {
        "..appliance.audit..",
        "..appliance.ca..",
        "..appliance.crl..",
        "..appliance.enrollment..",
        "..appliance.health..",
        "..appliance.oidc..",
        "..appliance.hsm..",
        "..appliance.issuance..",
        "..appliance.jobs..",
        "..appliance.metrics..",
        "..appliance.ocsp..",
        "..appliance.registry..",
        "..appliance.acme..",
        "..appliance.revocation..",
        "..appliance.setup.."
    };

    @Test
    void noPackageDependsOnAnotherThatDependsOnIt() {
        slices().matching("dev.hsmca.appliance.(**)").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void layersPointDownOnly() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("Entry")
                .definedBy("dev.hsmca.appliance")
                .layer("Cli")
                .definedBy("..appliance.cli..")
                .layer("Web")
                .definedBy("..appliance.web..")
                .layer("Services")
                .definedBy(SERVICES)
                .layer("Policy")
                .definedBy("..appliance.policy..")
                .layer("Domain")
                .definedBy("..appliance.domain..")
                .layer("Store")
                .definedBy("..appliance.store..")
                .layer("X509")
                .definedBy("..appliance.x509..")
                .whereLayer("Entry")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Cli")
                .mayOnlyBeAccessedByLayers("Entry")
                .whereLayer("Web")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("Services")
                .mayOnlyBeAccessedByLayers("Web", "Cli", "Services")
                .whereLayer("Policy")
                .mayOnlyBeAccessedByLayers("Web", "Cli", "Services")
                .whereLayer("Domain")
                .mayOnlyBeAccessedByLayers("Web", "Cli", "Services", "Policy")
                .whereLayer("Store")
                .mayOnlyBeAccessedByLayers("Web", "Cli", "Services", "Policy", "Domain")
                .check(CLASSES);
    }

    @Test
    void httpStaysAtTheEdge() {
        noClasses()
                .that()
                .resideOutsideOfPackages("..appliance.web..", "..appliance.cli..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.micronaut.http..")
                .because("the domain speaks PkiException kinds; only the web edge knows HTTP statuses")
                .check(CLASSES);
    }

    @Test
    void theStoreKnowsNothingAboveIt() {
        noClasses()
                .that()
                .resideInAPackage("..appliance.store..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("..appliance.domain..", "..appliance.issuance..", "..appliance.web..")
                .check(CLASSES);
    }

    @Test
    void theWebEdgeHoldsNoStoreCode() {
        noClasses()
                .that()
                .resideInAPackage("..appliance.web..")
                .should()
                .dependOnClassesThat(resideInAPackage("..appliance.store..")
                        .and(not(RECORDS))
                        .and(not(ENUMS))
                        .as("are store code other than rows (a repository, the group commit, the certificate store)"))
                .because(
                        "the edge reads rows that services hand it; a repository in a controller skips the service's rules")
                .check(CLASSES);
    }

    /**
     * Services do not reach around each other through the store: a table's repository is used by the service that
     * owns the table, and another service asks that service. Two tables are shared today, and say so: certificates
     * (the hub: issued, revoked, renewed, pre-signed for, read by ACME and the registry) and ca_certificates (the
     * hierarchy reads it, setup writes it, health counts it as its store probe).
     */
    @Test
    void servicesDoNotReachAroundEachOtherThroughTheStore() {
        CompositeArchRule.of(ownedBy(AuditRepository.class, "audit"))
                .and(ownedBy(AuditPendingRepository.class, "audit"))
                .and(ownedBy(CrlRepository.class, "crl"))
                .and(ownedBy(CrlStateRepository.class, "crl"))
                .and(ownedBy(InstallTokenRepository.class, "enrollment"))
                .and(ownedBy(WorkloadTokenRepository.class, "oidc"))
                .and(ownedBy(WorkloadServiceRepository.class, "oidc"))
                .and(ownedBy(ServiceRepository.class, "registry"))
                .and(ownedBy(PresignedResponseRepository.class, "ocsp"))
                .and(ownedBy(JobLockRepository.class, "jobs"))
                .and(ownedBy(AcmeRepositories.class, "acme"))
                .and(ownedBy(CertificateStore.class, "issuance"))
                // the group commit: issuance writes through it, metrics counts its batches, domain classifies its
                // failure
                .and(ownedBy(GroupCommit.class, "issuance", "metrics", "domain"))
                // read-only aggregates for the gauges and the detailed health
                .and(ownedBy(MetricsRepository.class, "metrics", "health"))
                .and(ownedBy(CaCertificateRepository.class, "ca", "setup", "health"))
                .and(ownedBy(CertificateRepository.class, "issuance", "revocation", "registry", "ocsp", "acme"))
                .check(CLASSES);
    }

    static ArchRule ownedBy(Class<?> storeClass, String... services) {
        String[] packages = new String[services.length + 1];
        packages[0] = "..appliance.store..";
        for (int i = 0; i < services.length; i++) {
            packages[i + 1] = "..appliance." + services[i] + "..";
        }
        return classes()
                .that(belongToAnyOf(storeClass))
                .should()
                .onlyHaveDependentClassesThat(resideInAnyPackage(packages))
                .as(storeClass.getSimpleName() + " is used only by " + String.join(", ", services));
    }

    @Test
    void theAcmeServicesTakeCommandsNotTheJws() {
        noClasses()
                .that()
                .resideInAPackage("..appliance.acme..")
                .should()
                .dependOnClassesThat(resideInAnyPackage("..appliance.web..", "com.nimbusds.jose.crypto..")
                        .or(simpleNameStartingWith("JWS"))
                        .or(simpleName("JSONObjectUtils")))
                .because(
                        "the ACME wire (JWS, nonces, the payloads' JSON) is read in web.acme; the services take typed commands")
                .check(CLASSES);
    }
}
