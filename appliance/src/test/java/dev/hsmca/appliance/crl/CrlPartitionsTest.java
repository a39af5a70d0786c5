package dev.hsmca.appliance.crl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.CrlPartRecord;
import dev.hsmca.appliance.store.CrlPartRepository;
import dev.hsmca.appliance.store.CrlRecord;
import dev.hsmca.appliance.store.CrlRepository;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.RevocationReason;
import dev.hsmca.hsm.testing.Shell;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Partitioned CRLs, the full CRL's delta and the short-lived profile, checked by the relying parties that read them:
 * OpenSSL ({@code -crl_check_all}, {@code -use_deltas}) and Java's PKIX validator (CRL only).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrlPartitionsTest {
    static final int SHARDS = 4;
    static final String BASE = "http://crl.test/crl";

    TestAppliance app;
    ApplicationContext ctx;
    Path dir;
    RegistrationAuthority issuance;
    Revocations revocations;
    CrlPublisher publisher;
    CrlPartRepository parts;
    CrlRepository fulls;
    CaHierarchy ca;
    AdminGrant admin = new AdminGrant("test");
    String csr;

    @BeforeAll
    void start() throws Exception {
        app = TestAppliance.h2()
                .with("pki.crl.shards", String.valueOf(SHARDS))
                .with("pki.crl.full-interval", "1h")
                .with("pki.crl.on-revocation", "false") // the test publishes, so it knows when
                .with("pki.urls.crl-base", BASE)
                .with("pki.jobs.initial-delay", "1h")
                .initialize();
        dir = Files.createTempDirectory(app.dir(), "parts");
        csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        ctx = app.context();
        issuance = ctx.getBean(RegistrationAuthority.class);
        revocations = ctx.getBean(Revocations.class);
        publisher = ctx.getBean(CrlPublisher.class);
        parts = ctx.getBean(CrlPartRepository.class);
        fulls = ctx.getBean(CrlRepository.class);
        ca = ctx.getBean(CaHierarchy.class);
        Files.writeString(
                dir.resolve("chain.pem"),
                Pem.encode(ca.issuing().certificate()) + Pem.encode(ca.root().certificate()));
        Files.writeString(dir.resolve("root.pem"), Pem.encode(ca.root().certificate()));
        publisher.publishOwed(); // the full CRLs (issuing, root): the base the delta starts from
        publisher.publishParts();
    }

    @AfterAll
    void stop() {
        ctx.close();
    }

    X509Certificate issue(String profile) throws Exception {
        String pem = issuance.issue(new IssuanceCommand(
                        IssuanceCommand.Channel.REST,
                        admin.entitlement(),
                        csr,
                        profile,
                        null,
                        profile.equals("short-lived") ? null : Duration.ofDays(30),
                        CertificateAsk.Identity.REQUESTED,
                        null,
                        IssuanceCommand.Claim.NONE,
                        ""))
                .certificatePem();
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static int shardOf(X509Certificate c) {
        return c.getSerialNumber().mod(BigInteger.valueOf(SHARDS)).intValueExact();
    }

    static String distributionPoint(X509Certificate c) throws Exception {
        CRLDistPoint dp = CRLDistPoint.getInstance(
                ASN1OctetString.getInstance(c.getExtensionValue(Extension.cRLDistributionPoints.getId()))
                        .getOctets());
        GeneralName[] names = GeneralNames.getInstance(
                        dp.getDistributionPoints()[0].getDistributionPoint().getName())
                .getNames();
        return names[0].getName().toString();
    }

    X509CRL crl(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    X509CRL shard(int n) throws Exception {
        return crl(parts.latest(ca.issuing().id(), n).orElseThrow().crlDer());
    }

    X509CRL delta() throws Exception {
        return crl(parts.latest(ca.issuing().id(), CrlPartRecord.DELTA)
                .orElseThrow()
                .crlDer());
    }

    X509CRL full(CaRole role) throws Exception {
        return crl(fulls.latest(ca.member(role).id()).orElseThrow().crlDer());
    }

    String write(String name, Object... objects) throws Exception {
        StringBuilder pem = new StringBuilder();
        for (Object o : objects) {
            pem.append(Pem.encode(o));
        }
        Files.writeString(dir.resolve(name), pem.toString());
        return name;
    }

    Shell.Result verify(X509Certificate leaf, String crls, String... flags) throws Exception {
        write("leaf.pem", leaf);
        List<String> cmd = new ArrayList<>(List.of("openssl", "verify"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-CAfile", "root.pem", "-untrusted", "chain.pem", "-CRLfile", crls, "leaf.pem"));
        return Shell.exec(dir, cmd.toArray(String[]::new));
    }

    /** Java's PKIX validator, CRL only (no OCSP, no fetching): the CRLs given are all it has. */
    void pkix(X509Certificate leaf, X509CRL... crls) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        var path = cf.generateCertPath(List.of(leaf, ca.issuing().certificate()));
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXParameters params =
                new PKIXParameters(Set.of(new TrustAnchor(ca.root().certificate(), null)));
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        checker.setOptions(
                EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
        params.addCertPathChecker(checker);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(List.of(crls))));
        validator.validate(path, params);
    }

    @Test
    void aCertificateNamesItsShardAndTheShardNamesItselfInItsIssuingDistributionPoint() throws Exception {
        X509Certificate leaf = issue("tls-server");
        int shard = shardOf(leaf);
        String url = BASE + "/" + ca.issuing().id() + "/" + shard + ".crl";
        assertEquals(url, distributionPoint(leaf));
        assertEquals(
                shard,
                ctx.getBean(CertificateRepository.class)
                        .findById(leaf.getSerialNumber().toString(16))
                        .orElseThrow()
                        .crlShard());

        X509CRL crl = shard(shard);
        assertTrue(crl.getCriticalExtensionOIDs().contains(Extension.issuingDistributionPoint.getId()));
        IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(
                ASN1OctetString.getInstance(crl.getExtensionValue(Extension.issuingDistributionPoint.getId()))
                        .getOctets());
        assertEquals(
                url,
                GeneralNames.getInstance(idp.getDistributionPoint().getName())
                        .getNames()[0]
                        .getName()
                        .toString());
        crl.verify(ca.issuing().certificate().getPublicKey());
        // Each shard counts on its own: another shard's change moves this one's number not at all.
        int other = (shard + 1) % SHARDS;
        long before = CrlLint.crlNumber(shard(shard));
        X509Certificate elsewhere = issue("tls-server");
        while (shardOf(elsewhere) != other) {
            elsewhere = issue("tls-server");
        }
        long otherBefore = CrlLint.crlNumber(shard(other));
        revocations.revoke(elsewhere.getSerialNumber().toString(16), RevocationReason.SUPERSEDED, admin);
        publisher.publishParts();
        assertEquals(before, CrlLint.crlNumber(shard(shard)));
        assertEquals(otherBefore + 1, CrlLint.crlNumber(shard(other)));
    }

    @Test
    void aRevocationShowsInItsShardAndTheDeltaWhileTheFullCrlWaitsForItsSchedule() throws Exception {
        X509Certificate revoked = issue("tls-server");
        X509Certificate good = issue("tls-server");
        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
        double shown = registry.get("pki.revocation.visible")
                .tag("via", "shard")
                .timer()
                .count();
        X509CRL fullBefore = full(CaRole.ISSUING);

        revocations.revoke(revoked.getSerialNumber().toString(16), RevocationReason.KEY_COMPROMISE, admin);
        List<PartitionCrls.Published> published = publisher.publishParts();
        assertEquals(
                Set.of(shardOf(revoked), CrlPartRecord.DELTA),
                Set.copyOf(published.stream().map(PartitionCrls.Published::part).toList()),
                "only the changed shard and the delta are made again");
        publisher.publishOwed();

        X509CRL shard = shard(shardOf(revoked));
        assertNotNull(shard.getRevokedCertificate(revoked.getSerialNumber()));
        X509CRL delta = delta();
        assertNotNull(delta.getRevokedCertificate(revoked.getSerialNumber()));
        X509CRL full = full(CaRole.ISSUING);
        assertEquals(
                CrlLint.crlNumber(fullBefore), CrlLint.crlNumber(full), "no new full CRL within pki.crl.full-interval");
        assertNull(full.getRevokedCertificate(revoked.getSerialNumber()));
        assertEquals(CrlLint.crlNumber(full), CrlLint.baseNumber(delta));
        assertTrue(
                CrlLint.crlNumber(delta) > CrlLint.crlNumber(full),
                "one number sequence for the full CRL and its delta");
        assertTrue(delta.getCriticalExtensionOIDs().contains(Extension.deltaCRLIndicator.getId()));
        assertNotNull(full.getExtensionValue(Extension.freshestCRL.getId()), "the base says where its delta is");
        assertTrue(registry.get("pki.revocation.visible")
                        .tag("via", "shard")
                        .timer()
                        .count()
                > shown);
        CrlLint.lint(shard, false, true);
        CrlLint.lint(delta, true, false);
        CrlLint.lint(full, false, false);
        CrlLint.lint(shard((shardOf(revoked) + 1) % SHARDS), false, true);

        // OpenSSL: the shard a certificate names (and the root's CRL for the issuing CA: -crl_check_all).
        X509CRL root = full(CaRole.ROOT);
        String shardFile = write("shard.pem", shard, root);
        Shell.Result r = verify(revoked, shardFile, "-crl_check_all");
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("certificate revoked"), r.output());
        if (shardOf(good) == shardOf(revoked)) {
            Shell.Result ok = verify(good, shardFile, "-crl_check_all");
            assertEquals(0, ok.exit(), ok.output());
        } else {
            Shell.Result ok = verify(good, write("other.pem", shard(shardOf(good)), root), "-crl_check_all");
            assertEquals(0, ok.exit(), ok.output());
        }
        // OpenSSL with the base and its delta: only the delta knows, and -use_deltas reads it.
        String baseAndDelta = write("base-delta.pem", full, delta, root);
        // (-extended_crl: without it OpenSSL may take the newer delta for a complete CRL, which hides whether it
        // applied the delta to its base.)
        Shell.Result withDelta = verify(revoked, baseAndDelta, "-crl_check_all", "-extended_crl", "-use_deltas");
        assertTrue(withDelta.output().contains("certificate revoked"), withDelta.output());
        Shell.Result baseOnly = verify(revoked, baseAndDelta, "-crl_check_all", "-extended_crl");
        assertEquals(0, baseOnly.exit(), "without -use_deltas the base alone answers: " + baseOnly.output());
        Shell.Result goodWithDelta = verify(good, baseAndDelta, "-crl_check_all", "-extended_crl", "-use_deltas");
        assertEquals(0, goodWithDelta.exit(), goodWithDelta.output());
        // Java's PKIX reads no deltas (a critical delta CRL indicator it does not process): it must not choke on
        // one, and answers from the base.
        pkix(good, full, delta, root);

        // Java PKIX, CRL only, with the shard.
        CertPathValidatorException e = assertThrows(CertPathValidatorException.class, () -> pkix(revoked, shard, root));
        assertEquals(CertPathValidatorException.BasicReason.REVOKED, e.getReason());
        pkix(good, shard(shardOf(good)), root);
    }

    @Test
    void aLiftedHoldLeavesTheShardAndIsRemoveFromCrlInTheDelta() throws Exception {
        X509Certificate held = issue("tls-server");
        String serial = held.getSerialNumber().toString(16);
        revocations.revoke(serial, RevocationReason.CERTIFICATE_HOLD, admin);
        publisher.publishParts();
        assertNotNull(shard(shardOf(held)).getRevokedCertificate(held.getSerialNumber()));

        revocations.revoke(serial, RevocationReason.REMOVE_FROM_CRL, admin);
        publisher.publishParts();
        assertNull(shard(shardOf(held)).getRevokedCertificate(held.getSerialNumber()));
        var entry = delta().getRevokedCertificate(held.getSerialNumber());
        assertNotNull(entry, "the delta says to take it off the base");
        assertEquals(java.security.cert.CRLReason.REMOVE_FROM_CRL, entry.getRevocationReason());
        CrlLint.lint(delta(), true, false);
    }

    /** Two CRLs of one shard within a second: the second still says it is newer (If-Modified-Since relies on it). */
    @Test
    void eachCrlOfAShardIsStrictlyNewerThanTheLast() throws Exception {
        X509Certificate first = issue("tls-server");
        X509Certificate second = issue("tls-server");
        while (shardOf(second) != shardOf(first)) {
            second = issue("tls-server");
        }
        revocations.revoke(first.getSerialNumber().toString(16), RevocationReason.SUPERSEDED, admin);
        publisher.publishParts();
        X509CRL a = shard(shardOf(first));
        revocations.revoke(second.getSerialNumber().toString(16), RevocationReason.SUPERSEDED, admin);
        publisher.publishParts();
        X509CRL b = shard(shardOf(first));
        assertTrue(CrlLint.crlNumber(b) > CrlLint.crlNumber(a));
        assertTrue(b.getThisUpdate().after(a.getThisUpdate()), a.getThisUpdate() + " then " + b.getThisUpdate());
        assertNotNull(b.getRevokedCertificate(second.getSerialNumber()));
    }

    @Test
    void shortLivedCertificatesCarryNoRevocationPointersAndVerify() throws Exception {
        X509Certificate c = issue("short-lived");
        assertNull(c.getExtensionValue(Extension.cRLDistributionPoints.getId()));
        byte[] aia = c.getExtensionValue(Extension.authorityInfoAccess.getId());
        assertNotNull(aia, "caIssuers stays");
        var methods = Arrays.stream(AuthorityInformationAccess.getInstance(
                                ASN1OctetString.getInstance(aia).getOctets())
                        .getAccessDescriptions())
                .map(AccessDescription::getAccessMethod)
                .toList();
        assertEquals(List.of(AccessDescription.id_ad_caIssuers), methods, "no OCSP URL");
        Duration life =
                Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant());
        assertTrue(
                life.compareTo(Duration.ofHours(24)) >= 0 && life.compareTo(Duration.ofHours(25)) <= 0,
                "the profile's default lifetime, 24 h (plus the backdating): " + life);
        assertNull(ctx.getBean(CertificateRepository.class)
                .findById(c.getSerialNumber().toString(16))
                .orElseThrow()
                .crlShard());
        write("short.pem", c);
        Shell.Result r =
                Shell.exec(dir, "openssl", "verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "short.pem");
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void theEncodingsAreDerAsWritten() throws Exception {
        X509CRL delta = delta();
        assertArrayEquals(
                delta.getEncoded(),
                parts.latest(ca.issuing().id(), CrlPartRecord.DELTA)
                        .orElseThrow()
                        .crlDer());
        CrlRecord full = fulls.latest(ca.issuing().id()).orElseThrow();
        assertNotNull(full.coversRevision(), "a full CRL says which revision its delta starts from");
    }
}
