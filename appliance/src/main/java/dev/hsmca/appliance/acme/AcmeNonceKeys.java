package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeNonceKey;
import dev.hsmca.appliance.store.AcmeRepositories;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * The nonce MAC key in the database: made once, by whichever replica asks first, then read by all. Replicas behind
 * one load balancer must share it (a client's nonce from one is posted to another); a key per process would not do.
 * The nonces themselves are made and taken back at the web edge ({@code web.acme.AcmeNonces}), without a row.
 */
@Singleton
public class AcmeNonceKeys {
    static final String ID = "nonce-hmac";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AcmeRepositories.NonceKeys keys;
    private final AcmeRepositories.Nonces legacyRows;
    private final Clock clock;

    public AcmeNonceKeys(AcmeRepositories.NonceKeys keys, AcmeRepositories.Nonces legacyRows, Clock clock) {
        this.keys = keys;
        this.legacyRows = legacyRows;
        this.clock = clock;
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW, readOnly = true)
    public Optional<byte[]> find() {
        return keys.findById(ID).map(k -> Base64.getUrlDecoder().decode(k.secret()));
    }

    /** Makes the key; fails (duplicate key) when another replica made it first, which is fine: read theirs. */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    public void create() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        keys.save(
                new AcmeNonceKey(ID, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), clock.instant()));
    }

    /** Nonce rows an older appliance wrote (rolling upgrade); none are written now. */
    @Transactional
    public int purgeLegacyRows() {
        return legacyRows.purge(clock.instant());
    }
}
