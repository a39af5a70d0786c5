package dev.hsmca.ocsp.source;

import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.cert.ocsp.CertificateID;

/**
 * A parsed OCSP request: its CertIDs, the nonce extension value (the DER inside extnValue) if any, and each CertID's
 * serial as the store writes it (hex), worked out once per request rather than by each source.
 */
public record OcspQuery(List<CertificateID> ids, byte[] nonce, List<String> serials) {
    public OcspQuery {
        ids = List.copyOf(ids);
        serials = List.copyOf(serials);
        if (serials.size() != ids.size()) {
            throw new IllegalArgumentException("one serial per CertID");
        }
    }

    public OcspQuery(List<CertificateID> ids, byte[] nonce) {
        this(ids, nonce, ids.stream().map(id -> hex(id.getSerialNumber())).toList());
    }

    public boolean single() {
        return ids.size() == 1;
    }

    /** The first CertID's serial, as the store writes it. */
    public String serial() {
        return serials.get(0);
    }

    /**
     * {@code serial.toString(16)} (lowercase, no leading zeros), without its long divisions: they were a good part
     * of a pre-signed answer's work (the OCSP bench's profile).
     */
    static String hex(BigInteger serial) {
        if (serial.signum() <= 0) {
            return serial.toString(16);
        }
        String h = HexFormat.of().formatHex(serial.toByteArray());
        int zeros = 0;
        while (zeros < h.length() - 1 && h.charAt(zeros) == '0') {
            zeros++;
        }
        return zeros == 0 ? h : h.substring(zeros);
    }
}
