package dev.hsmca.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM in and out: certificates, PKCS#8 private keys, PKCS#10 requests. */
final class Pem {
    private Pem() {}

    static List<X509Certificate> certificates(String pem) {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not PEM certificates: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem) {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new IllegalArgumentException("no private key in PEM");
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable private key: " + e.getMessage(), e);
        }
    }

    static String encode(String type, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + b64 + "\n-----END " + type + "-----\n";
    }

    static String certificates(List<X509Certificate> certificates) {
        StringBuilder b = new StringBuilder();
        try {
            for (X509Certificate c : certificates) {
                b.append(encode("CERTIFICATE", c.getEncoded()));
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        return b.toString();
    }

    static String privateKey(PrivateKey key) {
        return encode("PRIVATE KEY", key.getEncoded());
    }
}
