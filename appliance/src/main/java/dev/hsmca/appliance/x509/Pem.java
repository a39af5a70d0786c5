package dev.hsmca.appliance.x509;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM and DER helpers for certificates. */
public final class Pem {
    private Pem() {}

    public static String encode(Object... objects) {
        if (objects.length == 1 && objects[0] instanceof X509Certificate certificate) {
            return certificate(certificate); // the common case, without the PEM writer's generator lookup
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                if (o instanceof PrivateKey key) {
                    writer.writeObject(new JcaPKCS8Generator(key, null)); // PKCS#8, curve included
                } else {
                    writer.writeObject(o);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
        return out.toString();
    }

    /** One certificate in PEM, as the PEM writer writes it: 64-character lines, each ending in a newline. */
    public static String certificate(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + MIME.encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("PEM encoding failed", e);
        }
    }

    private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, new byte[] {'\n'});

    public static String chain(List<X509Certificate> certificates) {
        return encode(certificates.toArray());
    }

    public static X509Certificate certificate(byte[] der) {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a DER certificate", e);
        }
    }
}
