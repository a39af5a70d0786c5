package dev.hsmca.ocsp.source;

import java.util.List;
import org.bouncycastle.cert.ocsp.CertificateID;

/**
 * A parsed OCSP request: its CertIDs and the nonce extension value (the DER inside extnValue), if any.
 */
public record OcspQuery(List<CertificateID> ids, byte[] nonce) {
    public boolean single() {
        return ids.size() == 1;
    }
}
