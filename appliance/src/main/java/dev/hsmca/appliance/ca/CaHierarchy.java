package dev.hsmca.appliance.ca;

import dev.hsmca.appliance.store.CaCertificateRecord;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The active CA certificates (from the store) paired with their keys (in the HSM). With the root kept offline the
 * root's record names {@link #OFFLINE_ROOT} instead of a key: the appliance holds its certificate only.
 */
@Singleton
public class CaHierarchy {
    /** The key alias of a root whose key is in an offline HSM, never in this one. */
    public static final String OFFLINE_ROOT = "offline:root";

    /** A CA-side certificate and the HSM key that goes with it (none for an offline root). */
    public record Member(CaCertificateRecord record, X509Certificate certificate, SigningKey key) {
        public String id() {
            return record.id();
        }

        /** Its key is not in this HSM: nothing here signs with it (its CRL comes from the key ceremony). */
        public boolean offline() {
            return key == null;
        }
    }

    private final KeyBackend keys;
    private final CaCertificateRepository repository;
    private volatile Map<CaRole, Member> members;
    private volatile ChainPem chainPem;

    public CaHierarchy(KeyBackend keys, CaCertificateRepository repository) {
        this.keys = keys;
        this.repository = repository;
    }

    /** Every role has an active certificate and its key. */
    public boolean initialized() {
        return load().size() == CaRole.values().length;
    }

    public boolean has(CaRole role) {
        return load().containsKey(role);
    }

    public Member member(CaRole role) {
        Member m = load().get(role);
        if (m == null) {
            throw new CaNotInitializedException("the CA is not initialized (no active " + role.alias()
                    + " certificate with its HSM key): run 'ca init'");
        }
        return m;
    }

    public Member root() {
        return member(CaRole.ROOT);
    }

    public Member issuing() {
        return member(CaRole.ISSUING);
    }

    /** Issuing CA then root: what clients need to build a path. */
    public List<X509Certificate> chain() {
        return List.of(issuing().certificate(), root().certificate());
    }

    /** {@link #chain()} in PEM, made once per set of active CA certificates: every issuance answers with it. */
    public String chainPem() {
        Map<CaRole, Member> m = load();
        ChainPem c = chainPem;
        if (c == null || c.of() != m) {
            c = new ChainPem(m, Pem.chain(chain())); // keyed by the map: a reload makes a new one
            chainPem = c;
        }
        return c.pem();
    }

    private record ChainPem(Map<CaRole, Member> of, String pem) {}

    public synchronized void reload() {
        members = null;
    }

    /** Reloads when the store's active CA rows are not the ones in use (a peer replica renewed or re-initialized). */
    public void refreshIfChanged() {
        Map<CaRole, Member> m = members;
        if (m == null) {
            return;
        }
        for (CaRole role : CaRole.values()) {
            String activeId = repository
                    .findByRoleAndActive(role, true)
                    .map(CaCertificateRecord::id)
                    .orElse(null);
            Member inUse = m.get(role);
            if (inUse == null || !inUse.id().equals(activeId)) {
                reload();
                return;
            }
        }
    }

    private static boolean offline(CaRole role, CaCertificateRecord record) {
        return role == CaRole.ROOT && OFFLINE_ROOT.equals(record.keyAlias());
    }

    /** The roles whose CRLs this appliance signs: the issuing CA's always, the root's unless it is offline. */
    public List<CaRole> crlSigners() {
        return has(CaRole.ROOT) && root().offline() ? List.of(CaRole.ISSUING) : List.of(CaRole.ISSUING, CaRole.ROOT);
    }

    private Map<CaRole, Member> load() {
        Map<CaRole, Member> m = members;
        if (m != null) {
            return m;
        }
        synchronized (this) {
            if (members == null) {
                Map<CaRole, Member> loaded = new EnumMap<>(CaRole.class);
                for (CaRole role : CaRole.values()) {
                    repository
                            .findByRoleAndActive(role, true)
                            .filter(record -> offline(role, record) || keys.hasKey(record.keyAlias()))
                            .ifPresent(record -> loaded.put(
                                    role,
                                    new Member(
                                            record,
                                            Pem.certificate(record.certificateDer()),
                                            offline(role, record) ? null : keys.signingKey(record.keyAlias()))));
                }
                if (loaded.size() < CaRole.values().length) {
                    return loaded; // not cached: initialization may be under way
                }
                members = loaded;
            }
            return members;
        }
    }
}
