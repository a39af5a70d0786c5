package dev.hsmca.appliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.issuance.CsrInspector;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.testing.Csrs;
import dev.hsmca.core.CertificateStatus;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** What an attacker's read of the policy authority found, each refused now (as a 400/403, never a 5xx). */
class PolicyReviewTest {
    static final PolicyAuthority PA = PolicyAuthorityProperties.PA;

    @Test
    void aSubjectAltNameOfTheWrongAsn1TypeIsABadRequestNotAServerError() throws Exception {
        for (var san : List.of(
                new ASN1Integer(5),
                new DERSequence(new ASN1Integer(5)),
                new DERSequence(new DERTaggedObject(false, 9, new ASN1Integer(1))),
                new DERSequence(new DERTaggedObject(true, 2, new DERSequence(new ASN1Integer(1)))))) {
            PkiException e = assertThrows(PkiException.class, () -> new CsrInspector().inspect(csrWithSan(san)));
            assertEquals(PkiException.Kind.MALFORMED, e.kind(), e.code());
        }
    }

    @Test
    void namesLongerThanTheStoreKeepsAreRefusedBeforeAnythingIsSigned() {
        Entitlement wildcard = new Entitlement(
                Entitlement.Source.INSTALL_TOKEN,
                "t",
                "svc",
                "tls-server",
                List.of("*.a-rather-long-domain.example"),
                List.of(),
                List.of(),
                Set.of(),
                false,
                Duration.ofDays(30),
                null,
                null);
        List<String> asked = new ArrayList<>();
        for (int i = 0; i < 100; i++) { // 100 SANs of 63-character labels: allowed by the CSR check, 9,200 characters
            String label = ("l" + i + "a".repeat(63)).substring(0, 63);
            asked.add(label + ".a-rather-long-domain.example");
        }
        PkiException e = assertThrows(
                PkiException.class,
                () -> PA.decide(
                        wildcard,
                        new CertificateAsk(
                                null,
                                asked,
                                List.of(),
                                List.of(),
                                null,
                                null,
                                null,
                                CertificateAsk.Identity.REQUESTED)));
        assertEquals("too_many_names", e.code());
    }

    @Test
    void aCertificateFromBeforeThePolicyNeverRenewsItsUncheckedCn() {
        for (String oldCn : List.of("www.victim.com.", "Billing Service", "x\r\nforged=1")) {
            CertificateRecord legacy = new CertificateRecord(
                    "0c",
                    "issuing-1",
                    new X500Principal(
                                    new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(oldCn))}).toString())
                            .getName(),
                    "svc.example",
                    "",
                    "tls-server",
                    "svc",
                    CertificateStatus.VALID,
                    Instant.EPOCH,
                    Instant.EPOCH.plus(Duration.ofDays(30)),
                    null,
                    null,
                    new byte[0],
                    Instant.EPOCH,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
            Entitlement holder = new HolderGrant(legacy).entitlement();
            assertTrue(holder.clientNames().isEmpty(), oldCn);
            Decision d = PA.decide(
                    holder,
                    new CertificateAsk(
                            null, List.of(), List.of(), List.of(), null, null, null, CertificateAsk.Identity.GRANTED));
            assertEquals("svc.example", d.commonName());
        }
    }

    @Test
    void whatAnAdministratorIssuedRenewsNoLongerThanItWasIssued() {
        Decision issued = PA.decide(
                Entitlement.admin("admin:1"),
                new CertificateAsk(
                        "a.example",
                        List.of(),
                        List.of(),
                        List.of(),
                        "tls-server",
                        "svc",
                        Duration.ofDays(1),
                        CertificateAsk.Identity.REQUESTED));
        assertEquals(Duration.ofDays(1), issued.maxValidity());
        Entitlement holder = new HolderGrant(PolicyAuthorityProperties.stored(issued)).entitlement();
        PkiException e = assertThrows(
                PkiException.class,
                () -> PA.decide(
                        holder,
                        new CertificateAsk(
                                null,
                                List.of(),
                                List.of(),
                                List.of(),
                                null,
                                null,
                                Duration.ofDays(397),
                                CertificateAsk.Identity.GRANTED)));
        assertEquals("validity_not_allowed", e.code());
    }

    @Test
    void theAppliancesOwnServicesAreNotGrantable() {
        for (String own : List.of("appliance", "admin", "monitoring")) {
            PkiException e = assertThrows(
                    PkiException.class,
                    () -> PA.decide(
                            Entitlement.admin("admin:1"),
                            new CertificateAsk(
                                    "a.example",
                                    List.of(),
                                    List.of(),
                                    List.of(),
                                    "tls-server",
                                    own,
                                    null,
                                    CertificateAsk.Identity.REQUESTED)));
            assertEquals("reserved_service", e.code());
        }
    }

    @Test
    void anIpAddressIsReadAsALiteralNeverLookedUp() {
        assertNull(Names.ipAddress(".1:2"));
        assertNull(Names.ipAddress("::1:x"));
        assertEquals("0:0:0:0:0:0:0:1", Names.ipAddress("::1"));
        assertEquals("10.0.0.1", Names.ipAddress("::ffff:10.0.0.1"));
    }

    private static String csrWithSan(ASN1Encodable san) throws Exception {
        KeyPair key = Csrs.ecKey();
        var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x.example"), key.getPublic());
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, san);
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
        byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                .getEncoded();
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }
}
