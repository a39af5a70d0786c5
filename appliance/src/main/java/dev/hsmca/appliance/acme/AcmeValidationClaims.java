package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeAuthorization;
import dev.hsmca.appliance.store.AcmeChallenge;
import dev.hsmca.appliance.store.AcmeRepositories;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which replica validates a processing challenge, in the database: a claim with an end. The claim is what lets a
 * challenge left {@code processing} by a stopped replica, or deferred for want of room, be validated later by any
 * replica, and only by one.
 */
@Singleton
public class AcmeValidationClaims {
    private final AcmeRepositories.Challenges challenges;
    private final AcmeRepositories.Authorizations authorizations;
    private final AcmeRepositories.Accounts accounts;
    private final Clock clock;

    public AcmeValidationClaims(
            AcmeRepositories.Challenges challenges,
            AcmeRepositories.Authorizations authorizations,
            AcmeRepositories.Accounts accounts,
            Clock clock) {
        this.challenges = challenges;
        this.authorizations = authorizations;
        this.accounts = accounts;
        this.clock = clock;
    }

    /** A new claim on the challenge's validation for {@code lease}, unless another holds it. */
    @Transactional
    public Optional<String> claim(String challengeId, Duration lease) {
        String claim = AcmeAccounts.randomId();
        return challenges.claim(challengeId, claim, clock.instant().plus(lease), clock.instant()) == 1
                ? Optional.of(claim)
                : Optional.empty();
    }

    /** False when the challenge was settled meanwhile, or another replica took it over. */
    @Transactional
    public boolean renew(String challengeId, String claim, Duration lease) {
        return challenges.renew(challengeId, claim, clock.instant().plus(lease)) == 1;
    }

    /** Gives the challenge back, for any replica's next resume pass, behind those given back before. */
    @Transactional
    public void release(String challengeId, String claim) {
        challenges.release(challengeId, claim, clock.instant());
    }

    /** Processing challenges nobody holds, with what validating them needs. */
    @Transactional(readOnly = true)
    public List<AcmeOrders.Started> unclaimed(int limit) {
        List<AcmeOrders.Started> out = new ArrayList<>();
        for (AcmeChallenge c : challenges.unclaimed(clock.instant(), limit)) {
            Optional<AcmeAuthorization> a = authorizations.findById(c.authzId());
            Optional<AcmeAccount> account = a.flatMap(x -> accounts.findById(x.accountId()));
            if (account.isPresent()) {
                out.add(new AcmeOrders.Started(c, a.get(), true, account.get().thumbprint()));
            }
        }
        return out;
    }
}
