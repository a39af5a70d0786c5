package dev.hsmca.client;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A service's certificate, obtained once with an install token (single use) or an enrollment key ({@code hek_...},
 * reusable: deployed as a secret such as {@code PKI_ENROLL_KEY}, so a container that starts fresh enrolls on its own)
 * and kept renewed:
 * <pre>{@code
 * try (PkiClient pki = PkiClient.builder().caUrl(url).root(rootPem).store(Path.of("/etc/pki/api")).build()) {
 *     pki.enrollIfNeeded(token, "api.example.test");
 *     SSLContext server = pki.serverSslContext();   // new handshakes get the renewed certificate
 *     pki.startAutoRenewal();
 * }
 * }</pre>
 * The key is made here and never sent anywhere; the files are in {@link FileStore}.
 */
public final class PkiClient implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(PkiClient.class.getName());

    private final CaApi api;
    private final X509Certificate root;
    private final FileStore store;
    private final KeyType keyType;
    private final boolean newKeyOnRenewal;
    private final RenewalPolicy policy;
    private final Tls.Revocation revocation;
    private final Clock clock;
    private final List<RenewalListener> listeners = new CopyOnWriteArrayList<>();
    private final ReloadingKeyManager keyManager = new ReloadingKeyManager(this::credentials);
    private volatile Credentials current;
    private volatile AutoRenewer renewer;

    private PkiClient(Builder b) {
        this.root = b.root;
        this.store = new FileStore(b.store);
        this.keyType = b.keyType;
        this.newKeyOnRenewal = b.newKeyOnRenewal;
        this.policy = b.policy;
        this.revocation = b.revocation;
        this.clock = b.clock;
        this.api = new CaApi(b.caUrl, Tls.trustManagers(root, Tls.Revocation.OFF), b.timeout);
        this.current = store.load().orElse(null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The credentials in use, or null before enrollment. */
    public Credentials credentials() {
        return current;
    }

    public FileStore store() {
        return store;
    }

    public RenewalPolicy policy() {
        return policy;
    }

    public void addListener(RenewalListener listener) {
        listeners.add(listener);
    }

    /**
     * Enrolls unless the store already holds an unexpired certificate; true when it enrolled. The first name is the
     * subject's CN; all are subject alternative names (DNS names or IP addresses). {@code token} is an install token or
     * an enrollment key: with a key, a container that starts with an empty store enrolls on its own.
     */
    public boolean enrollIfNeeded(String token, String... names) {
        Credentials c = current;
        if (c != null && !c.expiredAt(clock.instant())) {
            return false;
        }
        enroll(token, null, null, names);
        return true;
    }

    /**
     * Enrolls now with a one-time install token or a reusable enrollment key (the CA tells them apart): a new key, a
     * CSR, the certificate stored.
     */
    public Credentials enroll(String token, String profile, String validity, String... names) {
        if (token == null || token.isBlank()) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID,
                    "no_token",
                    "an install token or enrollment key is needed to enroll");
        }
        List<String> list = List.of(names);
        KeyPair pair = keyType.generate();
        Map<String, Object> issued = api.enroll(token.trim(), Csr.create(pair, keyType, list), profile, validity);
        Credentials c = credentials(pair, issued);
        store.save(c);
        saveMeta(validity, profile);
        current = c;
        LOG.log(System.Logger.Level.INFO, "enrolled {0} for {1}, valid until {2}", c.serial(), list, c.notAfter());
        return c;
    }

    /** Renews now over mTLS with the current certificate: a new key (unless configured otherwise), same identity. */
    public synchronized Credentials renew() {
        Credentials before = requireCredentials();
        KeyPair pair = newKeyOnRenewal
                ? keyType.generate()
                : new KeyPair(before.certificate().getPublicKey(), before.key());
        Map<String, Object> issued = api.renew(
                before,
                Csr.create(pair, keyTypeOf(pair), names(before.certificate())),
                meta().getProperty("validity"),
                false);
        Credentials c = credentials(pair, issued);
        store.save(c);
        current = c;
        LOG.log(
                System.Logger.Level.INFO,
                "renewed {0} as {1}, valid until {2}",
                before.serial(),
                c.serial(),
                c.notAfter());
        listeners.forEach(l -> l.renewed(c, before));
        return c;
    }

    /** What the CA says now about the certificate in use (its renewal window); {@code etag} for a cheap poll. */
    public Optional<CaStatus> status(String etag) {
        return api.current(requireCredentials(), etag);
    }

    /** Registers (or updates) this service in the CA's registry, over mTLS. */
    public Map<String, Object> register(
            String service,
            String displayName,
            List<String> endpoints,
            String healthCheckUrl,
            Map<String, String> metadata) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        if (displayName != null) {
            body.put("display_name", displayName);
        }
        body.put("endpoints", endpoints == null ? List.of() : endpoints);
        if (healthCheckUrl != null) {
            body.put("health_check_url", healthCheckUrl);
        }
        body.put("metadata", metadata == null ? Map.of() : metadata);
        return api.register(requireCredentials(), body);
    }

    /** A server context: serves the current certificate on every new handshake, trusts our root for client certificates. */
    public SSLContext serverSslContext() {
        return Tls.context(keyManager, trustManagers());
    }

    /** A client context for mTLS to other services: presents the current certificate, trusts only our root. */
    public SSLContext clientSslContext() {
        return Tls.context(keyManager, trustManagers());
    }

    /** The key manager behind both contexts, for servers that take one directly. */
    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    private TrustManager[] trustManagers() {
        return Tls.trustManagers(root, revocation);
    }

    /** Renews in the background, as the policy says, until {@link #close()}. */
    public synchronized void startAutoRenewal() {
        requireCredentials();
        if (renewer == null) {
            renewer = new AutoRenewer(this, policy, clock, listeners);
            renewer.start();
        }
    }

    public boolean autoRenewing() {
        return renewer != null && renewer.running();
    }

    @Override
    public synchronized void close() {
        if (renewer != null) {
            renewer.stop();
            renewer = null;
        }
    }

    Clock clock() {
        return clock;
    }

    private Credentials requireCredentials() {
        Credentials c = current;
        if (c == null) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID,
                    "not_enrolled",
                    "no certificate in " + store.dir() + ": enroll first with an install token");
        }
        return c;
    }

    private Credentials credentials(KeyPair pair, Map<String, Object> issued) {
        List<X509Certificate> cert = Pem.certificates(String.valueOf(issued.get("certificate_pem")));
        List<X509Certificate> chain = Pem.certificates(String.valueOf(issued.get("chain_pem")));
        if (cert.isEmpty() || !cert.get(0).getPublicKey().equals(pair.getPublic())) {
            throw new PkiClientException(
                    PkiClientException.Kind.REFUSED,
                    "bad_answer",
                    "the CA answered with a certificate for another key");
        }
        return new Credentials(pair.getPrivate(), cert.get(0), chain);
    }

    private static KeyType keyTypeOf(KeyPair pair) {
        return "EC".equals(pair.getPrivate().getAlgorithm())
                ? KeyType.EC_P256
                : ((RSAKey) pair.getPrivate()).getModulus().bitLength() > 2048 ? KeyType.RSA_3072 : KeyType.RSA_2048;
    }

    /** The certificate's names, CN first: what a renewal asks for again. */
    static List<String> names(X509Certificate c) {
        List<String> names = new ArrayList<>();
        try {
            if (c.getSubjectAlternativeNames() != null) {
                for (List<?> n : c.getSubjectAlternativeNames()) {
                    int type = (Integer) n.get(0);
                    if (type == 2 || type == 7) {
                        names.add(String.valueOf(n.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }

    /** What was asked at enrollment and is asked again at each renewal (the lifetime). */
    private Properties meta() {
        return enrollment(store.dir());
    }

    /** Read by {@code pki-agent} so that later commands need only the folder. */
    public static Properties enrollment(Path dir) {
        Properties p = new Properties();
        Path f = dir.resolve("enrollment.properties");
        if (Files.exists(f)) {
            try (var in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot read {0}: {1}", f, e.getMessage());
            }
        }
        return p;
    }

    private void saveMeta(String validity, String profile) {
        Properties p = new Properties();
        if (validity != null) {
            p.setProperty("validity", validity);
        }
        if (profile != null) {
            p.setProperty("profile", profile);
        }
        p.setProperty("ca_url", api.base().toString());
        Path f = store.dir().resolve("enrollment.properties");
        try {
            Files.writeString(
                    store.dir().resolve("root.pem"), Pem.certificates(List.of(root)), StandardCharsets.US_ASCII);
            Path tmp = Files.createTempFile(store.dir(), ".enrollment", ".tmp");
            try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "written at enrollment: the lifetime asked again at each renewal, and where the CA is");
            }
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.STORE,
                    "store_not_writable",
                    "cannot write " + f + ": " + e.getMessage(),
                    e);
        }
    }

    public static final class Builder {
        private URI caUrl;
        private X509Certificate root;
        private Path store;
        private KeyType keyType = KeyType.EC_P256;
        private boolean newKeyOnRenewal = true;
        private RenewalPolicy policy = RenewalPolicy.defaults();
        private Tls.Revocation revocation = Tls.Revocation.OFF;
        private Duration timeout = Duration.ofSeconds(15);
        private Clock clock = Clock.systemUTC();

        public Builder caUrl(String url) {
            try {
                URI u = URI.create(Objects.requireNonNull(url, "CA URL").trim());
                if (!"https".equals(u.getScheme()) || u.getHost() == null) {
                    throw new IllegalArgumentException("not an https URL");
                }
                this.caUrl = u;
            } catch (IllegalArgumentException e) {
                throw new PkiClientException(
                        PkiClientException.Kind.INVALID,
                        "invalid_url",
                        "the CA URL must be https://host[:port], not '" + url + "'");
            }
            return this;
        }

        /** The CA's root certificate, PEM text. */
        public Builder root(String pem) {
            try {
                List<X509Certificate> certs = Pem.certificates(pem);
                if (certs.isEmpty()) {
                    throw new IllegalArgumentException("no certificate");
                }
                this.root = certs.get(0);
            } catch (IllegalArgumentException e) {
                throw new PkiClientException(
                        PkiClientException.Kind.INVALID, "invalid_root", "the root is not a PEM certificate");
            }
            return this;
        }

        /** The CA's root certificate, a PEM file. */
        public Builder root(Path pemFile) {
            try {
                return root(Files.readString(pemFile));
            } catch (IOException e) {
                throw new PkiClientException(
                        PkiClientException.Kind.INVALID, "invalid_root", "cannot read the root " + pemFile);
            }
        }

        public Builder store(Path dir) {
            this.store = dir;
            return this;
        }

        public Builder keyType(KeyType type) {
            this.keyType = type;
            return this;
        }

        /** Keep the same key across renewals (not recommended: a new key each time limits a leak). */
        public Builder reuseKey(boolean reuse) {
            this.newKeyOnRenewal = !reuse;
            return this;
        }

        public Builder renewalPolicy(RenewalPolicy p) {
            this.policy = p;
            return this;
        }

        /** Check peers' certificates through our OCSP responder, tolerating (soft) or not (hard) an unknown status. */
        public Builder peerRevocation(boolean enabled, boolean hardFail) {
            this.revocation =
                    !enabled ? Tls.Revocation.OFF : hardFail ? Tls.Revocation.HARD_FAIL : Tls.Revocation.SOFT_FAIL;
            return this;
        }

        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public PkiClient build() {
            if (caUrl == null || root == null || store == null) {
                throw new PkiClientException(
                        PkiClientException.Kind.INVALID, "incomplete", "caUrl, root and store are required");
            }
            return new PkiClient(this);
        }
    }
}
