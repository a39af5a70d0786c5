package dev.hsmca.ocsp.source;

import dev.hsmca.core.CaRole;
import dev.hsmca.core.CertIdHash;
import dev.hsmca.ocsp.store.IssuerRow;
import dev.hsmca.ocsp.store.Store;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuing CAs this responder answers for, found by CertID hashes; re-read from the store each minute. Only the
 * first read is made by a caller: later ones run on a thread of their own while callers (event loops) go on with the
 * list they have, so a slow or stopped store never holds up an answer here.
 */
@Singleton
public class KnownIssuers {
    static final Duration REFRESH = Duration.ofMinutes(1);
    static final Duration RETRY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(KnownIssuers.class);

    public record Issuer(IssuerRow row, X509CertificateHolder certificate) {}

    /** An issuing CA's CertID hashes as bytes: compared as they come, with no hex text made per request. */
    private record Match(Issuer issuer, byte[] nameSha1, byte[] keySha1, byte[] nameSha256, byte[] keySha256) {
        static Match of(Issuer i) {
            HexFormat hex = HexFormat.of();
            IssuerRow r = i.row();
            return new Match(
                    i,
                    hex.parseHex(r.nameHashSha1()),
                    hex.parseHex(r.keyHashSha1()),
                    hex.parseHex(r.nameHashSha256()),
                    hex.parseHex(r.keyHashSha256()));
        }

        boolean matches(byte[] name, byte[] key, boolean sha1) {
            return sha1
                    ? Arrays.equals(name, nameSha1) && Arrays.equals(key, keySha1)
                    : Arrays.equals(name, nameSha256) && Arrays.equals(key, keySha256);
        }
    }

    private record Loaded(List<Issuer> all, List<Match> issuing, Instant at) {}

    private final Store.Issuers issuers;
    private final Clock clock;
    private volatile Loaded loaded;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    /** Not before this is a failed read tried again: a store that fails at once costs no thread per request. */
    private volatile Instant retryAt = Instant.MIN;

    public KnownIssuers(Store.Issuers issuers, Clock clock) {
        this.issuers = issuers;
        this.clock = clock;
    }

    public Optional<Issuer> find(CertificateID id, String hash) {
        return find(load(), id, hash);
    }

    /**
     * Among the issuers read already, never reading the store (for an event loop): none before the first read, which
     * a {@link #find} on another thread makes.
     */
    public Optional<Issuer> findHeld(CertificateID id, String hash) {
        Loaded l = loaded;
        return l == null ? Optional.empty() : find(refreshed(l), id, hash);
    }

    private static Optional<Issuer> find(Loaded loaded, CertificateID id, String hash) {
        byte[] name = id.getIssuerNameHash();
        byte[] key = id.getIssuerKeyHash();
        boolean sha1 = CertIdHash.SHA1.text().equals(hash);
        for (Match m : loaded.issuing()) {
            if (m.matches(name, key, sha1)) {
                return Optional.of(m.issuer());
            }
        }
        return Optional.empty();
    }

    public List<Issuer> all() {
        return load().all();
    }

    private Loaded load() {
        Loaded l = loaded;
        return l == null ? read() : refreshed(l);
    }

    /** The list held; once it is a minute old, read again aside (a failed read is tried again after a while). */
    private Loaded refreshed(Loaded l) {
        Instant now = clock.instant();
        if (Duration.between(l.at(), now).compareTo(REFRESH) > 0
                && !now.isBefore(retryAt)
                && refreshing.compareAndSet(false, true)) {
            Thread t = new Thread(
                    () -> {
                        try {
                            read();
                        } catch (RuntimeException e) {
                            retryAt = clock.instant().plus(RETRY);
                            LOG.warn("CA certificates not re-read, the list read before is kept: {}", e.toString());
                        } finally {
                            refreshing.set(false);
                        }
                    },
                    "ocsp-issuers");
            t.setDaemon(true);
            t.start();
        }
        return l;
    }

    private Loaded read() {
        Instant now = clock.instant();
        List<Issuer> all = issuers.caCertificates().stream()
                .map(r -> {
                    try {
                        return new Issuer(r, new X509CertificateHolder(r.certificateDer()));
                    } catch (IOException e) {
                        throw new IllegalStateException("unreadable CA certificate " + r.id(), e);
                    }
                })
                .toList();
        List<Match> issuing = all.stream()
                .filter(i -> CaRole.ISSUING.alias().equals(i.row().role()))
                .map(Match::of)
                .toList();
        Loaded l = new Loaded(all, issuing, now);
        loaded = l;
        return l;
    }
}
