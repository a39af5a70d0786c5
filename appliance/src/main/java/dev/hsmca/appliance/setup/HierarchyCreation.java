package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.audit.AuditAnchor;
import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaCertificates;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.crl.CrlService;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.IssuancePipeline;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.issuance.TlsIdentity;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What a new CA gets below its issuing CA, whether its root was made here ({@link CaInitializer}) or at an offline
 * ceremony ({@link OfflineRoot}): the OCSP signer and the appliance's TLS identity in the HSM, the admin and
 * monitoring client credentials, the audit anchor's key and the certificates as PEM files; then, once the hierarchy
 * is complete, its audit entry and first CRLs. Both callers hold this object's monitor while they create: one CA
 * creation at a time in this process, whichever way.
 */
@Singleton
public class HierarchyCreation {
    static final String ACTOR = "cli:ca-init";

    private final KeyBackend keys;
    private final CaConfig config;
    private final UrlConfig urls;
    private final CaRecords records;
    private final CaHierarchy hierarchy;
    private final TlsIdentity tls;
    private final RegistrationAuthority ra;
    private final AuditLog audit;
    private final Provider<CrlService> crls;
    private final AuditAnchor anchor;

    public HierarchyCreation(
            KeyBackend keys,
            CaConfig config,
            UrlConfig urls,
            CaRecords records,
            CaHierarchy hierarchy,
            TlsIdentity tls,
            RegistrationAuthority ra,
            AuditLog audit,
            Provider<CrlService> crls,
            AuditAnchor anchor) {
        this.keys = keys;
        this.config = config;
        this.urls = urls;
        this.records = records;
        this.hierarchy = hierarchy;
        this.tls = tls;
        this.ra = ra;
        this.audit = audit;
        this.crls = crls;
        this.anchor = anchor;
    }

    /** The OCSP signer, the TLS key and the client credentials, under an issuing CA whose key is in the HSM. */
    void belowIssuing(X509Certificate rootCert, X509Certificate issuingCert, String rootId, Instant now) {
        String issuingId = records.save(CaRole.ISSUING, issuingCert, rootId, config.issuingAlgorithm());
        SigningKey issuing = keys.signingKey(CaRole.ISSUING.alias());

        keys.generate(
                CaRole.OCSP.alias(),
                KeyAlgorithm.EC_P256,
                pair -> new CaCertificates(config, urls)
                        .ocspSigner(pair.getPublic(), issuingCert, issuing.contentSigner(), now));
        records.save(CaRole.OCSP, keys.certificate(CaRole.OCSP.alias()), issuingId, KeyAlgorithm.EC_P256.id());
        hierarchy.reload();

        TlsIdentity.Issued identity = tls.first(ACTOR);
        tls.store(IssuanceCommand.Channel.CA_INIT, ACTOR, identity, issuingId, null);
        hierarchy.reload();

        clientCredential("admin", Profiles.ADMIN, Path.of(config.adminDir()), issuingCert, rootCert);
        // A read-only credential for Prometheus (GET /prometheus), next to the admin one.
        clientCredential(
                "monitoring",
                Profiles.MONITORING,
                Path.of(config.adminDir()).resolveSibling("monitoring"),
                issuingCert,
                rootCert);
        anchor.key(); // the audit anchor's key, made here once rather than by several replicas at their first start
        writePems(rootCert, issuingCert, keys.certificate(CaRole.OCSP.alias()), identity.certificate());
    }

    /** Fails unless every role now has its certificate and key. */
    void complete() {
        hierarchy.reload();
        if (!hierarchy.initialized()) {
            throw new IllegalStateException("CA initialization did not complete");
        }
    }

    /** The new CA's audit entry and its first CRLs. */
    void announce(String details) {
        audit.recordAlone(ACTOR, "ca.init", "root:" + hierarchy.root().record().serial(), AuditLog.OK, details);
        crls.get().generateAll(ACTOR);
    }

    private void clientCredential(
            String name, String profile, Path dir, X509Certificate issuingCert, X509Certificate rootCert) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            long start = System.nanoTime();
            KeyPair pair = g.generateKeyPair();
            Entitlement grant = Entitlement.system(
                    ACTOR,
                    name,
                    profile,
                    List.of(),
                    List.of(),
                    Set.of(name),
                    Duration.ofDays(config.adminValidityDays()));
            IssuancePipeline.Signed signed = ra.approve(
                    grant,
                    pair.getPublic(),
                    new CertificateAsk(
                            name,
                            List.of(),
                            List.of(),
                            List.of(),
                            null,
                            null,
                            null,
                            CertificateAsk.Identity.REQUESTED));
            ra.record(IssuanceCommand.Channel.CA_INIT, ACTOR, signed, null, start);
            AdminCredential.write(dir, name, pair.getPrivate(), signed.certificate(), List.of(issuingCert, rootCert));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the " + name + " key", e);
        }
    }

    private void writePems(X509Certificate root, X509Certificate issuing, X509Certificate ocsp, X509Certificate tls) {
        Path dir = Path.of(config.outputDir());
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("root.pem"), Pem.encode(root), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("issuing.pem"), Pem.encode(issuing), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("chain.pem"), Pem.encode(issuing, root), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("ocsp.pem"), Pem.encode(ocsp), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("tls.pem"), Pem.encode(tls), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write CA certificates to " + dir + ": " + e.getMessage(), e);
        }
    }
}
