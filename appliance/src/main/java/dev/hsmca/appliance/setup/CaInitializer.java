package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.ca.CaCertificates;
import dev.hsmca.appliance.ca.CaConfig;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.ca.CaRecords;
import dev.hsmca.appliance.ca.UrlConfig;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyAlgorithm;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.SigningKey;
import jakarta.inject.Singleton;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ca init}: generates the root and issuing keys inside the HSM and certifies them, then everything below the
 * issuing CA ({@link HierarchyCreation}). With the root kept offline, {@link OfflineRoot} takes these steps instead.
 */
@Singleton
public class CaInitializer {
    private final KeyBackend keys;
    private final CaConfig config;
    private final UrlConfig urls;
    private final CaCertificateRepository caRepository;
    private final CaRecords records;
    private final CaHierarchy hierarchy;
    private final HierarchyCreation creation;
    private final Clock clock;

    public CaInitializer(
            KeyBackend keys,
            CaConfig config,
            UrlConfig urls,
            CaCertificateRepository caRepository,
            CaRecords records,
            CaHierarchy hierarchy,
            HierarchyCreation creation,
            Clock clock) {
        this.keys = keys;
        this.config = config;
        this.urls = urls;
        this.caRepository = caRepository;
        this.records = records;
        this.hierarchy = hierarchy;
        this.creation = creation;
        this.clock = clock;
    }

    public boolean initialized() {
        return hierarchy.initialized();
    }

    public void initialize(boolean force) {
        synchronized (creation) {
            List<String> leftovers = new ArrayList<>();
            for (CaRole role : CaRole.values()) {
                if (keys.hasKey(role.alias())) {
                    leftovers.add(role.alias());
                }
            }
            boolean inStore =
                    caRepository.findByRoleAndActive(CaRole.ROOT, true).isPresent();
            if (!force && (inStore || !leftovers.isEmpty())) {
                throw new AlreadyInitializedException(
                        hierarchy.initialized()
                                ? "the CA is already initialized; 'ca init --force' replaces it (new keys, new root)"
                                : "a partial CA exists (HSM keys " + leftovers + ", store "
                                        + (inStore ? "has" : "has no")
                                        + " CA certificates); 'ca init --force' starts again");
            }
            if (force) {
                for (String alias : leftovers) {
                    keys.delete(alias);
                }
                caRepository.deactivateAll();
                hierarchy.reload();
            }
            create();
            creation.complete();
            creation.announce((force ? "forced re-initialization" : "initialized") + " root=" + config.rootAlgorithm()
                    + " issuing=" + config.issuingAlgorithm() + " keys=" + keys.name());
        }
    }

    private void create() {
        Instant now = clock.instant();
        CaCertificates certs = new CaCertificates(config, urls);
        KeyAlgorithm rootAlgorithm = KeyAlgorithm.parse(config.rootAlgorithm());
        SigningKey root = keys.generate(
                CaRole.ROOT.alias(),
                rootAlgorithm,
                pair -> certs.root(pair.getPublic(), keys.selfSigner(pair, rootAlgorithm), now));
        X509Certificate rootCert = keys.certificate(CaRole.ROOT.alias());
        String rootId = records.save(CaRole.ROOT, rootCert, null, config.rootAlgorithm());

        keys.generate(
                CaRole.ISSUING.alias(),
                KeyAlgorithm.parse(config.issuingAlgorithm()),
                pair -> certs.issuing(pair.getPublic(), rootCert, rootId, root.contentSigner(), now));
        creation.belowIssuing(rootCert, keys.certificate(CaRole.ISSUING.alias()), rootId, now);
    }
}
