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
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;

/** The issuing CAs this responder answers for, found by CertID hashes; re-read from the store each minute. */
@Singleton
public class KnownIssuers {
    static final Duration REFRESH = Duration.ofMinutes(1);

    public record Issuer(IssuerRow row, X509CertificateHolder certificate) {}

    private final Store.Issuers issuers;
    private final Clock clock;
    private volatile List<Issuer> cached;
    private volatile Instant loadedAt = Instant.EPOCH;

    public KnownIssuers(Store.Issuers issuers, Clock clock) {
        this.issuers = issuers;
        this.clock = clock;
    }

    public Optional<Issuer> find(CertificateID id, String hash) {
        String name = HexFormat.of().formatHex(id.getIssuerNameHash());
        String key = HexFormat.of().formatHex(id.getIssuerKeyHash());
        return all().stream()
                .filter(i -> CaRole.ISSUING.alias().equals(i.row().role()))
                .filter(i -> CertIdHash.SHA1.text().equals(hash)
                        ? name.equals(i.row().nameHashSha1())
                                && key.equals(i.row().keyHashSha1())
                        : name.equals(i.row().nameHashSha256())
                                && key.equals(i.row().keyHashSha256()))
                .findFirst();
    }

    public List<Issuer> all() {
        Instant now = clock.instant();
        List<Issuer> c = cached;
        if (c == null || Duration.between(loadedAt, now).compareTo(REFRESH) > 0) {
            c = issuers.caCertificates().stream()
                    .map(r -> {
                        try {
                            return new Issuer(r, new X509CertificateHolder(r.certificateDer()));
                        } catch (IOException e) {
                            throw new IllegalStateException("unreadable CA certificate " + r.id(), e);
                        }
                    })
                    .toList();
            cached = c;
            loadedAt = now;
        }
        return c;
    }
}
