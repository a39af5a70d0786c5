package dev.hsmca.appliance.acme;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The appliance's own checks of http-01, dns-01 and tls-alpn-01 (RFC 8555 §8.3, §8.4, RFC 8737). A name is looked up
 * once; every address it has must be public ({@link AddressPolicy}) and the connection goes to those checked
 * addresses, never through a second lookup. Each validation ends by its deadline, whatever the server does. A
 * failure says what went wrong in the CA's own words: nothing the server sent is repeated (no body, header or
 * reason phrase), nor the addresses found. The test switches ({@link AcmeConfig}: ports, static names, a DNS
 * server; {@code pki.acme.validation.allow-private-addresses}) are off by default and only change where it looks,
 * never what it accepts.
 */
@Singleton
public class AcmeValidator {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeValidator.class);
    static final String ACME_TLS_1 = "acme-tls/1";
    static final String ID_PE_ACME_IDENTIFIER = "1.3.6.1.5.5.7.1.31";
    /** A cap on each connect and read, below the validation's deadline. */
    static final int STEP_TIMEOUT_MS = 10_000;

    static final int MAX_RESPONSE = 8192;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3})(?: .*)?");

    /** Whether the proof was found, and why not. */
    public record Result(boolean valid, String problemType, String detail) {
        static Result ok() {
            return new Result(true, null, null);
        }

        static Result fail(String type, String detail) {
            return new Result(false, type, detail);
        }
    }

    /** Name to addresses; asked once per validation. */
    interface Resolver {
        List<InetAddress> resolve(String name) throws UnknownHostException;
    }

    /** The name has an address the validator may not connect to. */
    private static final class NotPublic extends Exception {
        NotPublic() {
            super(null, null, false, false);
        }
    }

    private interface SocketMaker<S extends Socket> {
        S make() throws IOException;
    }

    private final AcmeConfig config;
    private final AcmeValidationConfig limits;
    private final AddressPolicy policy;
    private final Resolver resolver;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "acme-validation-deadline");
        t.setDaemon(true);
        return t;
    });

    @Inject
    public AcmeValidator(AcmeConfig config, AcmeValidationConfig limits) {
        this(config, limits, null);
    }

    /** With a resolver of the test's own; null for the test switch {@link AcmeConfig#resolve()}, then the system's resolver. */
    AcmeValidator(AcmeConfig config, AcmeValidationConfig limits, Resolver resolver) {
        this.config = config;
        this.limits = limits;
        this.policy = new AddressPolicy(limits);
        this.resolver = resolver != null ? resolver : this::resolve;
    }

    public Result validate(String type, String domain, String token, String thumbprint) {
        String keyAuthorization = token + "." + thumbprint;
        ValidationDeadline deadline = new ValidationDeadline(limits.deadline().toNanos(), watchdog);
        try {
            return switch (type) {
                case "http-01" -> http01(domain, token, keyAuthorization, deadline);
                case "dns-01" -> dns01(domain, keyAuthorization, deadline);
                case "tls-alpn-01" -> tlsAlpn01(domain, keyAuthorization, deadline);
                default -> Result.fail("malformed", "unsupported challenge type " + type);
            };
        } catch (Exception e) {
            LOG.debug("{} validation of {} failed: {}", type, domain, e.toString());
            return failure(type, domain, e, deadline);
        }
    }

    /** In the CA's words only: an exception's message may carry what the server sent. */
    private Result failure(String type, String domain, Exception e, ValidationDeadline deadline) {
        if (e instanceof NotPublic) {
            return Result.fail(
                    "rejectedIdentifier",
                    type + ": " + domain + " resolves to an address that is not public;"
                            + " this CA validates public addresses only (its admin may allow a network: pki.acme.validation.allowed-networks)");
        }
        if (deadline.passed() || e instanceof SocketTimeoutException) {
            return Result.fail(
                    "connection",
                    type + ": no complete answer for " + domain + " within "
                            + limits.deadline().toSeconds() + " s");
        }
        if (e instanceof UnknownHostException) {
            return Result.fail("dns", type + ": cannot resolve " + domain);
        }
        if (e instanceof NamingException) {
            return Result.fail("dns", "dns-01: the TXT lookup of _acme-challenge." + domain + " failed");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return Result.fail("connection", type + ": cannot connect to " + domain);
        }
        if (e instanceof SSLException) {
            return Result.fail("tls", type + ": the TLS handshake with " + domain + " failed");
        }
        return Result.fail("connection", type + ": the connection to " + domain + " failed");
    }

    private Result http01(String domain, String token, String keyAuthorization, ValidationDeadline deadline)
            throws Exception {
        String url = "http://" + domain + (config.http01Port() == 80 ? "" : ":" + config.http01Port())
                + "/.well-known/acme-challenge/" + token;
        Socket s = connect(checkedAddresses(domain), config.http01Port(), deadline, Socket::new);
        try (s;
                Closeable guard = deadline.guard(s)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET /.well-known/acme-challenge/" + token + " HTTP/1.1\r\nHost: " + domain
                            + "\r\nUser-Agent: hsmca-acme-validator\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = readLimited(s, deadline);
            int headerEnd = response.indexOf("\r\n\r\n");
            Matcher status = STATUS_LINE.matcher(response.lines().findFirst().orElse(""));
            if (!status.matches()) {
                return Result.fail("unauthorized", "http-01: " + url + " did not answer with HTTP/1.x");
            }
            if (!"200".equals(status.group(1))) {
                return Result.fail("unauthorized", "http-01: " + url + " answered HTTP " + status.group(1));
            }
            String headers = headerEnd < 0 ? response : response.substring(0, headerEnd);
            String body = headerEnd < 0 ? "" : response.substring(headerEnd + 4);
            if (headers.toLowerCase(Locale.ROOT).contains("\ntransfer-encoding: chunked")) {
                body = dechunk(body);
            }
            return body != null && body.trim().equals(keyAuthorization)
                    ? Result.ok()
                    : Result.fail(
                            "unauthorized", "http-01: " + url + " does not serve this challenge's key authorization");
        }
    }

    // JNDI here is only the JDK's DNS provider (a TXT lookup), not LDAP/RMI: nothing is deserialized. Its API takes a
    // Hashtable, so JdkObsolete has no alternative to offer.
    @SuppressWarnings({"BanJNDI", "JdkObsolete"})
    private Result dns01(String domain, String keyAuthorization, ValidationDeadline deadline) throws Exception {
        String expected = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(keyAuthorization));
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put(
                "java.naming.provider.url",
                config.dnsServer() == null || config.dnsServer().isBlank() ? "dns:" : "dns://" + config.dnsServer());
        // JNDI doubles the wait on each retry: 3 tries take up to 7 times the first wait, within the deadline
        env.put(
                "com.sun.jndi.dns.timeout.initial",
                Integer.toString(Math.max(1, deadline.remainingMillis(14_000) / 7)));
        env.put("com.sun.jndi.dns.timeout.retries", "2");
        List<String> found = new ArrayList<>();
        try {
            Attributes attrs =
                    new InitialDirContext(env).getAttributes("_acme-challenge." + domain, new String[] {"TXT"});
            Attribute txt = attrs.get("TXT");
            if (txt != null) {
                NamingEnumeration<?> values = txt.getAll();
                while (values.hasMore()) {
                    found.add(String.valueOf(values.next()).replace("\"", "").trim());
                }
            }
        } catch (NameNotFoundException e) {
            return Result.fail("dns", "dns-01: no TXT record at _acme-challenge." + domain);
        }
        return found.contains(expected)
                ? Result.ok()
                : Result.fail(
                        "unauthorized",
                        "dns-01: _acme-challenge." + domain + " has no TXT record with the key authorization digest");
    }

    private Result tlsAlpn01(String domain, String keyAuthorization, ValidationDeadline deadline) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new AcceptAny()}, null); // what is checked is the acmeIdentifier, below
        SSLSocket s = connect(checkedAddresses(domain), config.tlsalpn01Port(), deadline, () ->
                (SSLSocket) ctx.getSocketFactory().createSocket());
        try (s;
                Closeable guard = deadline.guard(s)) {
            s.setSoTimeout(deadline.remainingMillis(STEP_TIMEOUT_MS));
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(domain)));
            p.setApplicationProtocols(new String[] {ACME_TLS_1});
            s.setSSLParameters(p);
            s.startHandshake();
            if (deadline.passed() || s.isClosed()) {
                // the deadline's guard closed the socket under the handshake, which then ends without an error
                throw new SocketTimeoutException("validation deadline passed");
            }
            if (!ACME_TLS_1.equals(s.getApplicationProtocol())) {
                return Result.fail("unauthorized", "tls-alpn-01: the server did not negotiate " + ACME_TLS_1);
            }
            X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
            boolean named = cert.getSubjectAlternativeNames() != null
                    && cert.getSubjectAlternativeNames().stream()
                            .anyMatch(
                                    n -> (Integer) n.get(0) == 2 && domain.equalsIgnoreCase(String.valueOf(n.get(1))));
            byte[] ext = cert.getExtensionValue(ID_PE_ACME_IDENTIFIER);
            boolean critical = cert.getCriticalExtensionOIDs() != null
                    && cert.getCriticalExtensionOIDs().contains(ID_PE_ACME_IDENTIFIER);
            if (!named || ext == null || !critical) {
                return Result.fail(
                        "unauthorized",
                        "tls-alpn-01: the certificate lacks " + domain + " or a critical acmeIdentifier");
            }
            byte[] inner = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(
                            ASN1OctetString.getInstance(ext).getOctets()))
                    .getOctets();
            return MessageDigest.isEqual(inner, sha256(keyAuthorization))
                    ? Result.ok()
                    : Result.fail("unauthorized", "tls-alpn-01: the acmeIdentifier is not this challenge's");
        }
    }

    /** One lookup; every address must be one the validator may reach (a name with a private address is refused). */
    private List<InetAddress> checkedAddresses(String domain) throws UnknownHostException, NotPublic {
        List<InetAddress> addresses = resolver.resolve(domain);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(domain);
        }
        for (InetAddress a : addresses) {
            if (!policy.permits(a)) {
                LOG.info(
                        "ACME validation of {} refused: it resolves to {}, which is not public",
                        domain,
                        a.getHostAddress());
                throw new NotPublic();
            }
        }
        return addresses;
    }

    /** To the checked addresses in turn (an IPv6 address may not be reachable where the IPv4 one is). */
    private static <S extends Socket> S connect(
            List<InetAddress> addresses, int port, ValidationDeadline deadline, SocketMaker<S> maker)
            throws IOException {
        IOException last = null;
        for (InetAddress a : addresses) {
            S s = maker.make();
            try {
                // an InetSocketAddress of an InetAddress is never looked up again
                s.connect(new InetSocketAddress(a, port), deadline.remainingMillis(STEP_TIMEOUT_MS));
                return s;
            } catch (IOException e) {
                s.close();
                last = e;
                if (deadline.passed()) {
                    break;
                }
            }
        }
        throw last;
    }

    /** The test switch {@code resolve} first ({@code *.acme.test=127.0.0.1}), then the system resolver. */
    List<InetAddress> resolve(String domain) throws UnknownHostException {
        if (config.resolve() != null) {
            for (String entry : config.resolve().split(",", -1)) { // -1: a trailing empty entry is skipped below anyway
                String[] kv = entry.trim().split("=", 2);
                if (kv.length == 2 && matches(kv[0].trim().toLowerCase(Locale.ROOT), domain.toLowerCase(Locale.ROOT))) {
                    return List.of(InetAddress.getByName(kv[1].trim()));
                }
            }
        }
        return List.of(InetAddress.getAllByName(domain));
    }

    static boolean matches(String pattern, String domain) {
        return pattern.startsWith("*.") ? domain.endsWith(pattern.substring(1)) : pattern.equals(domain);
    }

    /** At most {@link #MAX_RESPONSE} bytes, until the server closes or the deadline passes. */
    private static String readLimited(Socket s, ValidationDeadline deadline) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        do {
            s.setSoTimeout(deadline.remainingMillis(STEP_TIMEOUT_MS));
            n = in.read(buf, 0, Math.min(buf.length, MAX_RESPONSE - b.size()));
            if (n > 0) {
                b.write(buf, 0, n);
            }
        } while (n > 0 && b.size() < MAX_RESPONSE);
        return b.toString(StandardCharsets.UTF_8);
    }

    /** The chunks joined; null when the body is not chunked encoding. */
    @SuppressWarnings("StringSplitter") // kept as it was: ";" alone splits to nothing, which a limit of -1 would change
    static String dechunk(String body) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < body.length()) {
            int eol = body.indexOf("\r\n", i);
            if (eol < 0) {
                return null;
            }
            int size;
            try {
                size = Integer.parseInt(body.substring(i, eol).split(";")[0].trim(), 16);
            } catch (NumberFormatException e) {
                return null;
            }
            if (size == 0) {
                break;
            }
            if (size < 0 || eol + 2 + size > body.length()) {
                return null;
            }
            out.append(body, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
        return out.toString();
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void stop() {
        watchdog.shutdownNow();
    }

    private static final class AcceptAny implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
