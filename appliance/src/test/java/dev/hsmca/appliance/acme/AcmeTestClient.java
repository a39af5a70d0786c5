package dev.hsmca.appliance.acme;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A small ACME client for protocol tests: it signs exactly what a test asks, so tests can also send what a real
 * client never would (a replayed nonce, a foreign URL, another account's key).
 */
public final class AcmeTestClient {
    /** One answer: status, headers, body. */
    public record Reply(int status, HttpResponse<String> response) {
        public Map<String, Object> json() {
            try {
                return JSONObjectUtils.parse(response.body());
            } catch (ParseException e) {
                throw new AssertionError("not JSON (" + status + "): " + response.body(), e);
            }
        }

        public String location() {
            return response.headers().firstValue("Location").orElse(null);
        }

        /** The problem type without the ACME prefix, e.g. {@code badNonce}. */
        public String problem() {
            if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                throw new AssertionError("not a problem document (" + status + "): " + response.body());
            }
            return String.valueOf(json().get("type")).replace("urn:ietf:params:acme:error:", "");
        }

        public String body() {
            return response.body();
        }
    }

    private final HttpClient http;
    private final Map<String, Object> directory;
    private final ECKey key;
    private String kid;
    private String nonce;

    public AcmeTestClient(SSLContext ssl, int port) {
        this(ssl, port, newKey());
    }

    public AcmeTestClient(SSLContext ssl, int port, ECKey key) {
        this.http = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        this.key = key;
        this.directory = get("https://localhost:" + port + "/acme/directory").json();
    }

    public static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String url(String name) {
        return (String) directory.get(name);
    }

    public ECKey key() {
        return key;
    }

    public String kid() {
        return kid;
    }

    /** Acts as an existing account (several clients of one account run orders at once). */
    public AcmeTestClient as(String accountUrl) {
        this.kid = accountUrl;
        return this;
    }

    public String keyAuthorization(String token) {
        try {
            return token + "." + key.computeThumbprint();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public Reply get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    public String freshNonce() {
        if (nonce != null) {
            String n = nonce;
            nonce = null;
            return n;
        }
        return send(HttpRequest.newBuilder(URI.create(url("newNonce")))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()))
                .response()
                .headers()
                .firstValue("Replay-Nonce")
                .orElseThrow();
    }

    /** POST signed by the account (kid) once it exists, else with the jwk; {@code payload} null is POST-as-GET. */
    public Reply post(String url, Object payload) {
        return post(url, payload, freshNonce());
    }

    public Reply post(String url, Object payload, String nonce) {
        JWSHeader.Builder h = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .customParam("nonce", nonce)
                .customParam("url", url);
        h = kid != null ? h.keyID(kid) : h.jwk(key.toPublicJWK());
        return postJws(
                url, jws(h.build(), payload == null ? "" : JSONObjectUtils.toJSONString(asMap(payload)), signer(key)));
    }

    public Reply postJws(String url, String body) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/jose+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A flattened JWS of this header and payload. */
    public static String jws(JWSHeader header, String payload, JWSSigner signer) {
        try {
            JWSObject o = new JWSObject(header, new Payload(payload));
            o.sign(signer);
            return JSONObjectUtils.toJSONString(Map.of(
                    "protected",
                    o.getHeader().toBase64URL().toString(),
                    "payload",
                    payload.isEmpty() ? "" : o.getPayload().toBase64URL().toString(),
                    "signature",
                    o.getSignature().toString()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWSSigner signer(ECKey key) {
        try {
            return new ECDSASigner(key);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The External Account Binding for this client's key. */
    public Map<String, Object> binding(String eabKid, String hmacKey) {
        try {
            String jws = jws(
                    new JWSHeader.Builder(JWSAlgorithm.HS256)
                            .keyID(eabKid)
                            .customParam("url", url("newAccount"))
                            .build(),
                    key.toPublicJWK().toJSONString(),
                    new MACSigner(Base64.getUrlDecoder().decode(hmacKey)));
            return JSONObjectUtils.parse(jws);
        } catch (JOSEException | ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** newAccount with this binding (or none); remembers the account URL when made. */
    public Reply register(Map<String, Object> binding) {
        Map<String, Object> payload =
                new HashMap<>(Map.of("termsOfServiceAgreed", true, "contact", List.of("mailto:ops@example.com")));
        if (binding != null) {
            payload.put("externalAccountBinding", binding);
        }
        Reply r = post(url("newAccount"), payload);
        if (r.status() == 201 || r.status() == 200) {
            kid = r.location();
        }
        return r;
    }

    public Reply newOrder(String... names) {
        return post(
                url("newOrder"),
                Map.of(
                        "identifiers",
                        Arrays.stream(names)
                                .map(n -> Map.of("type", "dns", "value", n))
                                .toList()));
    }

    /** The challenge of this type in the authorization. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> challenge(String authzUrl, String type) {
        Reply a = post(authzUrl, null);
        for (Object c : (List<Object>) a.json().get("challenges")) {
            Map<String, Object> m = (Map<String, Object>) c;
            if (type.equals(m.get("type"))) {
                return m;
            }
        }
        throw new AssertionError("no " + type + " challenge in " + a.body());
    }

    /** POST-as-GET until the status is none of these (validation runs in the background). */
    public Map<String, Object> pollWhile(String url, String... waiting) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Map<String, Object> m = post(url, null).json();
            if (!List.of(waiting).contains(m.get("status")) || System.nanoTime() > deadline) {
                return m;
            }
            Thread.sleep(50);
        }
    }

    /** A new P-256 key pair (for a certificate). */
    public static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CSR for these names (first as CN) with a new key, base64url DER. */
    public static String csr(String... names) {
        return csr(keyPair(), names);
    }

    /** A CSR for these names (first as CN) with this key, base64url DER. */
    public static String csr(KeyPair kp, String... names) {
        try {
            var b = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + names[0]), kp.getPublic());
            ExtensionsGenerator ext = new ExtensionsGenerator();
            ext.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(Arrays.stream(names)
                            .map(n -> new GeneralName(GeneralName.dNSName, n))
                            .toArray(GeneralName[]::new)));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            byte[] der = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()))
                    .getEncoded();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(der);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r =
                    http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("Replay-Nonce").ifPresent(n -> nonce = n);
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object payload) {
        return (Map<String, Object>) payload;
    }

    @SuppressWarnings("unchecked")
    public static List<String> list(Map<String, Object> m, String key) {
        return (List<String>) m.get(key);
    }

    public static Set<String> dnsNames(X509Certificate c) throws Exception {
        Set<String> names = new HashSet<>();
        for (List<?> n : c.getSubjectAlternativeNames()) {
            names.add((String) n.get(1));
        }
        return names;
    }

    public static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The certificates of a PEM chain, in order. */
    public static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }
}
