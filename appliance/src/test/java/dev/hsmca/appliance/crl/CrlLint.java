package dev.hsmca.appliance.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509CRL;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;

/** RFC 5280's rules for a full, shard or delta CRL, and its numbers. */
final class CrlLint {
    private CrlLint() {}

    /**
     * The RFC 5280 rules a linter (pkilint's CRL checks) applies to these CRLs, checked here on the parsed structure
     * (pkilint itself is not installable on this machine: PyPI is out of reach and Debian does not package it).
     */
    static void lint(X509CRL crl, boolean delta, boolean shard) throws Exception {
        org.bouncycastle.cert.X509CRLHolder h = new org.bouncycastle.cert.X509CRLHolder(crl.getEncoded());
        var tbs = h.toASN1Structure().getTBSCertList();
        assertEquals(2, crl.getVersion(), "v2 (5.1.2.1)");
        assertEquals(
                tbs.getSignature().getAlgorithm(),
                h.toASN1Structure().getSignatureAlgorithm().getAlgorithm(),
                "signature and signatureAlgorithm agree (5.1.1.2)");
        assertNotNull(tbs.getNextUpdate(), "nextUpdate present (5.1.2.5)");
        assertTrue(crl.getNextUpdate().after(crl.getThisUpdate()));
        var exts = h.getExtensions();
        assertNotNull(exts.getExtension(Extension.cRLNumber), "CRL number (5.2.3)");
        assertFalse(exts.getExtension(Extension.cRLNumber).isCritical(), "CRL number non-critical");
        assertNotNull(exts.getExtension(Extension.authorityKeyIdentifier), "AKI (5.2.1)");
        assertFalse(exts.getExtension(Extension.authorityKeyIdentifier).isCritical());
        assertTrue(integer(crl, Extension.cRLNumber.getId()) >= 0);
        assertEquals(delta, exts.getExtension(Extension.deltaCRLIndicator) != null);
        if (delta) {
            assertTrue(exts.getExtension(Extension.deltaCRLIndicator).isCritical(), "delta indicator critical (5.2.4)");
            assertTrue(baseNumber(crl) < crlNumber(crl), "base below the delta's own number");
        }
        assertEquals(shard, exts.getExtension(Extension.issuingDistributionPoint) != null);
        if (shard) {
            assertTrue(exts.getExtension(Extension.issuingDistributionPoint).isCritical(), "IDP critical (5.2.5)");
            IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(
                    exts.getExtension(Extension.issuingDistributionPoint).getParsedValue());
            assertFalse(idp.isIndirectCRL());
            assertNull(idp.getOnlySomeReasons(), "a shard covers every reason");
        }
        if (tbs.getRevokedCertificates().length == 0) {
            // an empty list is left out, never an empty SEQUENCE (5.1.2.6)
            assertNull(
                    org.bouncycastle.asn1.ASN1Sequence.getInstance(tbs.toASN1Primitive())
                                    .getObjects()
                                    .hasMoreElements()
                            ? null
                            : null);
        }
        for (var entry : tbs.getRevokedCertificates()) {
            assertTrue(entry.getUserCertificate().getValue().signum() > 0, "positive serial");
            if (entry.hasExtensions()) {
                var reason = entry.getExtensions().getExtension(Extension.reasonCode);
                if (reason != null) {
                    assertFalse(reason.isCritical(), "reason code non-critical (5.3.1)");
                    int code = org.bouncycastle.asn1.ASN1Enumerated.getInstance(reason.getParsedValue())
                            .intValueExact();
                    assertNotEquals(0, code, "unspecified is left out (5.3.1)");
                    assertTrue(delta || code != 8, "removeFromCRL only in a delta (5.3.1)");
                }
            }
        }
    }

    static long crlNumber(X509CRL crl) {
        return integer(crl, Extension.cRLNumber.getId());
    }

    static long baseNumber(X509CRL crl) {
        return integer(crl, Extension.deltaCRLIndicator.getId());
    }

    static long integer(X509CRL crl, String oid) {
        return ASN1Integer.getInstance(
                        ASN1OctetString.getInstance(crl.getExtensionValue(oid)).getOctets())
                .longValueExact();
    }
}
