package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.crl.CrlService;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.appliance.x509.PlaceholderCertificate;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * {@code ca init --offline-root}: the root is kept in an offline HSM and signs at a key ceremony
 * ({@code ca ceremony}, docs/operations.md). Step 1 makes the issuing CA's key here and hands out its request;
 * step 2 takes the ceremony's certificates and CRL and makes everything below the issuing CA as usual.
 */
@Singleton
public class OfflineRoot {
    private static final String PLACEHOLDER_NAME = "issuing CA awaiting the offline root";
    private static final Duration PLACEHOLDER_VALIDITY = Duration.ofDays(30);

    private final KeyBackend keys;
    private final CaConfig config;
    private final CaCertificateRepository caRepository;
    private final CaRecords records;
    private final HierarchyCreation creation;
    private final Provider<CrlService> crls;
    private final Clock clock;

    public OfflineRoot(
            KeyBackend keys,
            CaConfig config,
            CaCertificateRepository caRepository,
            CaRecords records,
            HierarchyCreation creation,
            Provider<CrlService> crls,
            Clock clock) {
        this.keys = keys;
        this.config = config;
        this.caRepository = caRepository;
        this.records = records;
        this.creation = creation;
        this.crls = crls;
        this.clock = clock;
    }

    /**
     * Step 1: the issuing CA's key is made in this HSM (once; again the same key when asked again) and its CSR
     * returned, for the ceremony to sign with the offline root.
     */
    public byte[] request() {
        synchronized (creation) {
            requireNoCa();
            KeyAlgorithm algorithm = KeyAlgorithm.parse(config.issuingAlgorithm());
            if (!keys.hasKey(CaRole.ISSUING.alias())) {
                // a placeholder certificate until the root's arrives (SunPKCS11 stores keys with a certificate)
                keys.generate(CaRole.ISSUING.alias(), algorithm, pair -> {
                    Instant now = clock.instant();
                    return PlaceholderCertificate.of(
                            PLACEHOLDER_NAME,
                            BigInteger.ONE,
                            pair.getPublic(),
                            keys.selfSigner(pair, algorithm),
                            now,
                            now.plus(PLACEHOLDER_VALIDITY));
                });
            }
            SigningKey issuing = keys.signingKey(CaRole.ISSUING.alias());
            try {
                return new JcaPKCS10CertificationRequestBuilder(
                                new X500Name("CN=" + config.name() + " Issuing CA"), issuing.publicKey())
                        .build(issuing.contentSigner())
                        .getEncoded();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Step 2: the ceremony's issuing certificate (for this HSM's key, signed by the root) and the root's CRL. The
     * root's record names no key; everything below the issuing CA is made here as usual.
     */
    public void complete(X509Certificate rootCert, X509Certificate issuingCert, X509CRL rootCrl) {
        synchronized (creation) {
            requireNoCa();
            requireIssuingKeyOnly();
            verify(rootCert, issuingCert);
            keys.replaceCertificate(CaRole.ISSUING.alias(), issuingCert);
            String rootId = records.save(
                    CaRole.ROOT, rootCert, null, rootCert.getPublicKey().getAlgorithm(), CaHierarchy.OFFLINE_ROOT);
            creation.belowIssuing(rootCert, issuingCert, rootId, clock.instant());
            creation.complete();
            crls.get().importCrl(CaRole.ROOT, rootCrl, HierarchyCreation.ACTOR);
            creation.announce(
                    "initialized with the root offline; issuing=" + config.issuingAlgorithm() + " keys=" + keys.name());
        }
    }

    private void requireNoCa() {
        if (caRepository.findByRoleAndActive(CaRole.ROOT, true).isPresent()) {
            throw new AlreadyInitializedException("the CA is already initialized");
        }
    }

    private void requireIssuingKeyOnly() {
        if (!keys.hasKey(CaRole.ISSUING.alias())) {
            throw new IllegalArgumentException(
                    "no issuing CA key in this HSM: run 'ca init --offline-root --root-cert ...' first");
        }
        for (CaRole role : new CaRole[] {CaRole.ROOT, CaRole.OCSP, CaRole.TLS}) {
            if (keys.hasKey(role.alias())) {
                throw new IllegalArgumentException("this HSM holds a '" + role.alias() + "' key: an offline-root CA "
                        + "starts from a token with the issuing CA's key only");
            }
        }
    }

    /** The ceremony's pair: a self-signed root, and an issuing CA certificate it signed for this HSM's key. */
    private void verify(X509Certificate rootCert, X509Certificate issuingCert) {
        try {
            rootCert.verify(rootCert.getPublicKey());
            issuingCert.verify(rootCert.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "the issuing certificate is not signed by that root (or the root is not self-signed)");
        }
        if (rootCert.getBasicConstraints() < 0 || issuingCert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException("both certificates must be CA certificates");
        }
        if (!keys.certificate(CaRole.ISSUING.alias()).getPublicKey().equals(issuingCert.getPublicKey())) {
            throw new IllegalArgumentException(
                    "the issuing certificate is for another key than the one this HSM made (issuing.csr)");
        }
    }
}
