package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.store.CaCertificateRecord;

import dev.hsmca.appliance.ca.CaCertificates;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.core.CaRole;
import dev.hsmca.appliance.store.CaCertificateRepository;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.IssuancePipeline;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.x509.CertIdHashes;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.hsm.HsmException;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStoreException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ca init}: generates the root, issuing, OCSP-signing and TLS keys inside the HSM, certifies them,
 * stores the CA certificates, and issues the super-admin client credential.
 */
@Singleton
public class CaInitializer {
    private static final String ACTOR = "cli:ca-init";
    private final KeyBackend token;
    private final CaConfig config;
    private final UrlConfig urls;
    private final CaCertificateRepository caRepository;
    private final CaHierarchy hierarchy;
    private final RegistrationAuthority ra;
    private final AuditLog audit;
    private final jakarta.inject.Provider<dev.hsmca.appliance.crl.CrlService> crls;
    private final dev.hsmca.appliance.audit.AuditAnchor anchor;
    private final Clock clock;

    public CaInitializer(KeyBackend token, CaConfig config, UrlConfig urls, CaCertificateRepository caRepository,
                         CaHierarchy hierarchy, RegistrationAuthority ra, AuditLog audit,
                         jakarta.inject.Provider<dev.hsmca.appliance.crl.CrlService> crls,
                         dev.hsmca.appliance.audit.AuditAnchor anchor, Clock clock) {
        this.anchor = anchor;
        this.token = token;
        this.config = config;
        this.urls = urls;
        this.caRepository = caRepository;
        this.hierarchy = hierarchy;
        this.ra = ra;
        this.audit = audit;
        this.crls = crls;
        this.clock = clock;
    }

    /** Thrown when a CA exists and {@code --force} was not given. */
    public static class AlreadyInitializedException extends RuntimeException {
        AlreadyInitializedException(String message) {
            super(message);
        }
    }

    public boolean initialized() {
        return hierarchy.initialized();
    }

    public synchronized void initialize(boolean force) {
        List<String> leftovers = new ArrayList<>();
        for (CaRole role : CaRole.values()) {
            if (token.hasKey(role.alias())) {
                leftovers.add(role.alias());
            }
        }
        boolean inStore = caRepository.findByRoleAndActive(CaRole.ROOT, true).isPresent();
        if (!force && (inStore || !leftovers.isEmpty())) {
            throw new AlreadyInitializedException(hierarchy.initialized()
                    ? "the CA is already initialized; 'ca init --force' replaces it (new keys, new root)"
                    : "a partial CA exists (HSM keys " + leftovers + ", store " + (inStore ? "has" : "has no")
                    + " CA certificates); 'ca init --force' starts again");
        }
        if (force) {
            for (String alias : leftovers) {
                deleteKey(alias);
            }
            caRepository.deactivateAll();
            hierarchy.reload();
        }
        create();
        hierarchy.reload();
        if (!hierarchy.initialized()) {
            throw new IllegalStateException("CA initialization did not complete");
        }
        audit.recordAlone("cli:ca-init", "ca.init", "root:" + hierarchy.root().record().serial(), AuditLog.OK,
                (force ? "forced re-initialization" : "initialized") + " root=" + config.rootAlgorithm()
                        + " issuing=" + config.issuingAlgorithm() + " keys=" + token.name());
        crls.get().generateAll("cli:ca-init");
    }

    private void create() {
        Instant now = clock.instant();
        CaCertificates certs = new CaCertificates(config, urls);

        SigningKey root = token.generate(CaRole.ROOT.alias(), KeyAlgorithm.parse(config.rootAlgorithm()),
                pair -> certs.root(pair.getPublic(), token.selfSigner(pair, KeyAlgorithm.parse(config.rootAlgorithm())), now));
        X509Certificate rootCert = token.certificate(CaRole.ROOT.alias());
        String rootId = save(CaRole.ROOT, rootCert, null, config.rootAlgorithm());

        token.generate(CaRole.ISSUING.alias(), KeyAlgorithm.parse(config.issuingAlgorithm()),
                pair -> certs.issuing(pair.getPublic(), rootCert, rootId, root.contentSigner(), now));
        createBelowIssuing(rootCert, token.certificate(CaRole.ISSUING.alias()), rootId, certs, now);
    }

    /** The OCSP signer, the TLS key and the client credentials, under an issuing CA whose key is in the token. */
    private void createBelowIssuing(X509Certificate rootCert, X509Certificate issuingCert, String rootId,
                                    CaCertificates certs, Instant now) {
        String issuingId = save(CaRole.ISSUING, issuingCert, rootId, config.issuingAlgorithm());
        SigningKey issuing = token.signingKey(CaRole.ISSUING.alias());

        token.generate(CaRole.OCSP.alias(), KeyAlgorithm.EC_P256,
                pair -> certs.ocspSigner(pair.getPublic(), issuingCert, issuing.contentSigner(), now));
        save(CaRole.OCSP, token.certificate(CaRole.OCSP.alias()), issuingId, KeyAlgorithm.EC_P256.id());
        hierarchy.reload();

        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String name : config.tlsNames()) {
            String ip = Names.ipAddress(name.trim());
            if (ip != null) {
                ips.add(ip);
            } else if (Names.dnsName(name.trim()) != null) {
                dns.add(Names.dnsName(name.trim()));
            } else {
                throw new IllegalArgumentException("pki.ca.tls-names: '" + name + "' is neither a DNS name nor an IP address");
            }
        }
        long start = System.nanoTime();
        Entitlement tlsGrant = Entitlement.system(ACTOR, "appliance", "tls-server", dns, ips, Set.of(),
                Duration.ofDays(config.tlsValidityDays()));
        CertificateAsk tlsAsk = new CertificateAsk(null, dns, ips, List.of(), null, null, null, CertificateAsk.Identity.REQUESTED);
        IssuancePipeline.Signed[] tls = new IssuancePipeline.Signed[1];
        token.generate(CaRole.TLS.alias(), KeyAlgorithm.EC_P256, pair -> {
            tls[0] = ra.approve(tlsGrant, pair.getPublic(), tlsAsk);
            return tls[0].certificate();
        });
        X509Certificate tlsCert = token.certificate(CaRole.TLS.alias());
        save(CaRole.TLS, tlsCert, issuingId, KeyAlgorithm.EC_P256.id());
        ra.record(IssuanceCommand.Channel.CA_INIT, ACTOR, tls[0], null, start);
        hierarchy.reload();

        issueAdmin(issuingId, issuingCert, rootCert);
        anchor.key(); // the audit anchor's key, made here once rather than by several replicas at their first start
        writePems(rootCert, issuingCert, token.certificate(CaRole.OCSP.alias()), tlsCert);
    }

    /**
     * The id the store gives a CA certificate (and its CRL and caIssuers URLs carry): role and 8 hex digits of the
     * serial. CA certificates have random serials: their first 8 digits, as always, so existing ids and URLs stay. The
     * TLS certificate comes from the issuance pipeline, whose serials start with the time (the same first digits for
     * certificates made seconds apart): its last 8, which are random.
     */
    public static String idOf(CaRole role, X509Certificate cert) {
        String serial = cert.getSerialNumber().toString(16);
        int digits = Math.min(8, serial.length());
        return role.alias() + "-" + (role == CaRole.TLS ? serial.substring(serial.length() - digits) : serial.substring(0, digits));
    }

    /**
     * Root kept offline, step 1 on the appliance: the issuing CA's key is made in this HSM (once; again the same key
     * when asked again) and its CSR returned, for the ceremony to sign with the offline root.
     */
    public synchronized byte[] offlineRootRequest() {
        if (caRepository.findByRoleAndActive(CaRole.ROOT, true).isPresent()) {
            throw new AlreadyInitializedException("the CA is already initialized");
        }
        KeyAlgorithm algorithm = KeyAlgorithm.parse(config.issuingAlgorithm());
        if (!token.hasKey(CaRole.ISSUING.alias())) {
            // a placeholder certificate until the root's arrives (SunPKCS11 stores keys with a certificate)
            token.generate(CaRole.ISSUING.alias(), algorithm, pair -> {
                Instant now = clock.instant();
                try {
                    return new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                            new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(
                                    new org.bouncycastle.asn1.x500.X500Name("CN=issuing CA awaiting the offline root"),
                                    java.math.BigInteger.ONE, java.util.Date.from(now),
                                    java.util.Date.from(now.plus(Duration.ofDays(30))),
                                    new org.bouncycastle.asn1.x500.X500Name("CN=issuing CA awaiting the offline root"),
                                    pair.getPublic()).build(token.selfSigner(pair, algorithm)));
                } catch (java.security.cert.CertificateException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        SigningKey issuing = token.signingKey(CaRole.ISSUING.alias());
        try {
            return new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                    new org.bouncycastle.asn1.x500.X500Name("CN=" + config.name() + " Issuing CA"), issuing.publicKey())
                    .build(issuing.contentSigner()).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Root kept offline, step 2: the ceremony's issuing certificate (for this HSM's key, signed by the root) and the
     * root's CRL. The root's record names no key; everything below the issuing CA is made here as usual.
     */
    public synchronized void completeOfflineRoot(X509Certificate rootCert, X509Certificate issuingCert,
                                                 java.security.cert.X509CRL rootCrl) {
        if (caRepository.findByRoleAndActive(CaRole.ROOT, true).isPresent()) {
            throw new AlreadyInitializedException("the CA is already initialized");
        }
        if (!token.hasKey(CaRole.ISSUING.alias())) {
            throw new IllegalArgumentException("no issuing CA key in this HSM: run 'ca init --offline-root --root-cert ...' first");
        }
        for (CaRole role : new CaRole[]{CaRole.ROOT, CaRole.OCSP, CaRole.TLS}) {
            if (token.hasKey(role.alias())) {
                throw new IllegalArgumentException("this HSM holds a '" + role.alias() + "' key: an offline-root CA "
                        + "starts from a token with the issuing CA's key only");
            }
        }
        try {
            rootCert.verify(rootCert.getPublicKey());
            issuingCert.verify(rootCert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the issuing certificate is not signed by that root (or the root is not self-signed)");
        }
        if (rootCert.getBasicConstraints() < 0 || issuingCert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("both certificates must be CA certificates");
        }
        if (!token.certificate(CaRole.ISSUING.alias()).getPublicKey().equals(issuingCert.getPublicKey())) {
            throw new IllegalArgumentException("the issuing certificate is for another key than the one this HSM made (issuing.csr)");
        }
        token.replaceCertificate(CaRole.ISSUING.alias(), issuingCert);
        String rootId = save(CaRole.ROOT, rootCert, null, rootCert.getPublicKey().getAlgorithm(), CaHierarchy.OFFLINE_ROOT);
        createBelowIssuing(rootCert, issuingCert, rootId, new CaCertificates(config, urls), clock.instant());
        hierarchy.reload();
        if (!hierarchy.initialized()) {
            throw new IllegalStateException("CA initialization did not complete");
        }
        crls.get().importCrl(CaRole.ROOT, rootCrl, "cli:ca-init");
        audit.recordAlone("cli:ca-init", "ca.init", "root:" + hierarchy.root().record().serial(), AuditLog.OK,
                "initialized with the root offline; issuing=" + config.issuingAlgorithm() + " keys=" + token.name());
        crls.get().generateAll("cli:ca-init");
    }

    private void issueAdmin(String issuingId, X509Certificate issuingCert, X509Certificate rootCert) {
        clientCredential("admin", Profiles.ADMIN, Path.of(config.adminDir()), issuingId, issuingCert, rootCert);
        // A read-only credential for Prometheus (GET /prometheus), next to the admin one.
        clientCredential("monitoring", Profiles.MONITORING, Path.of(config.adminDir()).resolveSibling("monitoring"),
                issuingId, issuingCert, rootCert);
    }

    private void clientCredential(String name, String profile, Path dir, String issuingId, X509Certificate issuingCert,
                                  X509Certificate rootCert) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            long start = System.nanoTime();
            KeyPair pair = g.generateKeyPair();
            Entitlement grant = Entitlement.system(ACTOR, name, profile, List.of(), List.of(), Set.of(name),
                    Duration.ofDays(config.adminValidityDays()));
            IssuancePipeline.Signed signed = ra.approve(grant, pair.getPublic(),
                    new CertificateAsk(name, List.of(), List.of(), List.of(), null, null, null, CertificateAsk.Identity.REQUESTED));
            ra.record(IssuanceCommand.Channel.CA_INIT, ACTOR, signed, null, start);
            X509Certificate cert = signed.certificate();
            AdminCredential.write(dir, name, pair.getPrivate(), cert, List.of(issuingCert, rootCert));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the " + name + " key", e);
        }
    }

    private String save(CaRole role, X509Certificate cert, String parentId, String algorithm) {
        return save(role, cert, parentId, algorithm, role.alias());
    }

    /** Stores an active CA-side certificate whose key is under {@code keyAlias} in the token. */
    String save(CaRole role, X509Certificate cert, String parentId, String algorithm, String keyAlias) {
        String serial = cert.getSerialNumber().toString(16);
        String id = idOf(role, cert);
        CertIdHashes h = CertIdHashes.of(cert);
        try {
            caRepository.save(CaCertificateRecord.active(id, role, keyAlias,
                    cert.getSubjectX500Principal().getName(), serial, parentId, algorithm, h.nameSha1(), h.keySha1(),
                    h.nameSha256(), h.keySha256(), cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant(),
                    cert.getEncoded(), clock.instant()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    private void deleteKey(String alias) {
        token.delete(alias);
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
