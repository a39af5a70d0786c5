package dev.hsmca.appliance.x509;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Reads a stored subject DN (RFC 2253 text, as the JDK writes it). */
public final class SubjectNames {
    private SubjectNames() {}

    /** The subject's CN, or null when it has none. */
    public static String commonName(String subjectDn) {
        if (subjectDn == null || subjectDn.isEmpty()) {
            return null;
        }
        RDN[] cns = new X500Name(subjectDn).getRDNs(BCStyle.CN);
        return cns.length == 0
                ? null
                : IETFUtils.valueToString(cns[0].getFirst().getValue());
    }
}
