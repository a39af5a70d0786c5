package dev.hsmca.appliance.acme;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;

import javax.naming.NamingEnumeration;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;

/**
 * The appliance's own checks of http-01, dns-01 and tls-alpn-01 (RFC 8555 §8.3, §8.4, RFC 8737). The test switches
 * ({@link AcmeConfig}: ports, static names, a DNS server) are off by default and only change where it looks, never
 * what it accepts.
 */
@jakarta.inject.Singleton
public class AcmeValidator {
    static final String ACME_TLS_1 = "acme-tls/1";
    static final String ID_PE_ACME_IDENTIFIER = "1.3.6.1.5.5.7.1.31";
    static final int TIMEOUT_MS = 10_000;
    static final int MAX_BODY = 8192;

    /** Whether the proof was found, and why not. */
    public record Result(boolean valid, String problemType, String detail) {
        static Result ok() {
            return new Result(true, null, null);
        }

        static Result fail(String type, String detail) {
            return new Result(false, type, detail);
        }
    }

    private final AcmeConfig config;

    public AcmeValidator(AcmeConfig config) {
        this.config = config;
    }

    public Result validate(String type, String domain, String token, String thumbprint) {
        String keyAuthorization = token + "." + thumbprint;
        try {
            return switch (type) {
                case "http-01" -> http01(domain, token, keyAuthorization);
                case "dns-01" -> dns01(domain, keyAuthorization);
                case "tls-alpn-01" -> tlsAlpn01(domain, keyAuthorization);
                default -> Result.fail("malformed", "unsupported challenge type " + type);
            };
        } catch (java.net.UnknownHostException e) {
            return Result.fail("dns", "cannot resolve " + domain);
        } catch (java.net.ConnectException | java.net.SocketTimeoutException e) {
            return Result.fail("connection", "cannot connect to " + domain + ": " + e.getMessage());
        } catch (Exception e) {
            return Result.fail("connection", type + " validation of " + domain + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private Result http01(String domain, String token, String keyAuthorization) throws Exception {
        InetAddress address = resolve(domain);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, config.http01Port()), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(("GET /.well-known/acme-challenge/" + token + " HTTP/1.1\r\nHost: " + domain
                    + "\r\nUser-Agent: hsmca-acme-validator\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readAll(s.getInputStream());
            int headerEnd = response.indexOf("\r\n\r\n");
            String statusLine = response.lines().findFirst().orElse("");
            if (!statusLine.matches("HTTP/1\\.[01] 200.*")) {
                return Result.fail("unauthorized", "http-01: http://" + domain + ":" + config.http01Port()
                        + "/.well-known/acme-challenge/" + token + " answered '" + statusLine + "'");
            }
            String body = headerEnd < 0 ? "" : response.substring(headerEnd + 4);
            if (response.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return body.trim().equals(keyAuthorization) ? Result.ok()
                    : Result.fail("unauthorized", "http-01: the key authorization served for " + domain + " is wrong");
        }
    }

    private Result dns01(String domain, String keyAuthorization) throws Exception {
        String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(keyAuthorization));
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", config.dnsServer() == null || config.dnsServer().isBlank()
                ? "dns:" : "dns://" + config.dnsServer());
        env.put("com.sun.jndi.dns.timeout.initial", "2000");
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        List<String> found = new ArrayList<>();
        try {
            Attributes attrs = new InitialDirContext(env).getAttributes("_acme-challenge." + domain, new String[]{"TXT"});
            Attribute txt = attrs.get("TXT");
            if (txt != null) {
                NamingEnumeration<?> values = txt.getAll();
                while (values.hasMore()) {
                    found.add(String.valueOf(values.next()).replace("\"", "").trim());
                }
            }
        } catch (javax.naming.NameNotFoundException e) {
            return Result.fail("dns", "dns-01: no TXT record at _acme-challenge." + domain);
        }
        return found.contains(expected) ? Result.ok()
                : Result.fail("unauthorized", "dns-01: _acme-challenge." + domain + " has no TXT record with the key authorization digest");
    }

    private Result tlsAlpn01(String domain, String keyAuthorization) throws Exception {
        InetAddress address = resolve(domain);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new AcceptAny()}, null); // what is checked is the acmeIdentifier, below
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(address, config.tlsalpn01Port()), TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(domain)));
            p.setApplicationProtocols(new String[]{ACME_TLS_1});
            s.setSSLParameters(p);
            s.startHandshake();
            if (!ACME_TLS_1.equals(s.getApplicationProtocol())) {
                return Result.fail("unauthorized", "tls-alpn-01: the server did not negotiate " + ACME_TLS_1);
            }
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            boolean named = cert.getSubjectAlternativeNames() != null && cert.getSubjectAlternativeNames().stream()
                    .anyMatch(n -> (Integer) n.get(0) == 2 && domain.equalsIgnoreCase(String.valueOf(n.get(1))));
            byte[] ext = cert.getExtensionValue(ID_PE_ACME_IDENTIFIER);
            boolean critical = cert.getCriticalExtensionOIDs() != null && cert.getCriticalExtensionOIDs().contains(ID_PE_ACME_IDENTIFIER);
            if (!named || ext == null || !critical) {
                return Result.fail("unauthorized", "tls-alpn-01: the certificate lacks " + domain + " or a critical acmeIdentifier");
            }
            byte[] inner = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(ext).getOctets())).getOctets();
            return MessageDigest.isEqual(inner, sha256(keyAuthorization)) ? Result.ok()
                    : Result.fail("unauthorized", "tls-alpn-01: the acmeIdentifier is not this challenge's");
        }
    }

    /** The test switch {@code resolve} first ({@code *.acme.test=127.0.0.1}), then the system resolver. */
    InetAddress resolve(String domain) throws java.net.UnknownHostException {
        if (config.resolve() != null) {
            for (String entry : config.resolve().split(",")) {
                String[] kv = entry.trim().split("=", 2);
                if (kv.length == 2 && matches(kv[0].trim().toLowerCase(Locale.ROOT), domain.toLowerCase(Locale.ROOT))) {
                    return InetAddress.getByName(kv[1].trim());
                }
            }
        }
        return InetAddress.getByName(domain);
    }

    static boolean matches(String pattern, String domain) {
        return pattern.startsWith("*.") ? domain.endsWith(pattern.substring(1)) : pattern.equals(domain);
    }

    private static String readAll(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) > 0 && b.size() < MAX_BODY) {
            b.write(buf, 0, n);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
