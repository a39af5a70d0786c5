package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeNonce;
import dev.hsmca.appliance.store.AcmeRepositories;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/** Replay nonces in the database: any replica may hand one out or take one back, and each works once. */
@Singleton
public class AcmeNonces {
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AcmeRepositories.Nonces nonces;
    private final Clock clock;

    public AcmeNonces(AcmeRepositories.Nonces nonces, Clock clock) {
        this.nonces = nonces;
        this.clock = clock;
    }

    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    public String next() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        nonces.save(new AcmeNonce(nonce, clock.instant().plus(LIFETIME)));
        return nonce;
    }

    /** Takes the nonce back: true once for a nonce handed out and not expired, false for any other. */
    @Transactional(propagation = TransactionDefinition.Propagation.REQUIRES_NEW)
    public boolean use(String nonce) {
        return nonce != null && nonce.length() <= 64 && nonces.use(nonce, clock.instant()) == 1;
    }

    @Transactional
    public int purgeExpired() {
        return nonces.purge(clock.instant());
    }
}
