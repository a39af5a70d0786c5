package dev.hsmca.ocsp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.ocsp.source.OcspQuery;
import java.math.BigInteger;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.junit.jupiter.api.Test;

class GetQueriesTest {
    final GetQueries gets = new GetQueries();

    static String path(long serial) throws Exception {
        byte[] der = new OCSPReqBuilder()
                .addRequest(new CertificateID(new CertID(
                        new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1),
                        new DEROctetString(new byte[20]),
                        new DEROctetString(new byte[20]),
                        new ASN1Integer(BigInteger.valueOf(serial)))))
                .build()
                .getEncoded();
        return "/" + Base64.getUrlEncoder().encodeToString(der);
    }

    @Test
    void aPathIsParsedOnceAndKeptByItsWholeText() throws Exception {
        String path = path(42);
        OcspQuery first = gets.of(path);
        assertEquals(BigInteger.valueOf(42), first.ids().get(0).getSerialNumber());
        assertSame(first, gets.of(new String(path.toCharArray())), "the same text, a new string: the kept parse");
        OcspQuery other = gets.of(path(43));
        assertNotSame(first, other);
        assertEquals("2b", other.serial(), "another path, its own query");
        assertEquals(2, gets.kept());
    }

    @Test
    void aPathWithAQueryStringIsParsedButNotKept() throws Exception {
        assertEquals(
                BigInteger.valueOf(5), gets.of(path(5) + "?x=1").ids().get(0).getSerialNumber());
        assertEquals(0, gets.kept());
    }

    @Test
    void whatIsNoOcspRequestIsNeitherParsedNorKept() {
        assertNull(gets.of("/health"));
        assertNull(gets.of("/AAAA"));
        assertNull(gets.of("health"));
        assertEquals(0, gets.kept());
    }

    @Test
    void atMostItsSlotsAreKeptAndEachAnswerIsStillTheRightOne() throws Exception {
        for (int i = 1; i <= GetQueries.SLOTS * 3; i++) {
            assertEquals(BigInteger.valueOf(i), gets.of(path(i)).ids().get(0).getSerialNumber());
        }
        assertTrue(gets.kept() <= GetQueries.SLOTS, "kept " + gets.kept());
        // overwritten slots never answer for another path
        for (int i = 1; i <= GetQueries.SLOTS * 3; i += 97) {
            assertEquals(BigInteger.valueOf(i), gets.of(path(i)).ids().get(0).getSerialNumber());
        }
    }
}
