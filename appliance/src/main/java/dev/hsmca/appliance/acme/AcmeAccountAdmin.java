package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeEabKey;
import dev.hsmca.appliance.store.AcmeRepositories;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * What an admin does to ACME accounts and binding keys after the fact: revoke them. A revoked account (RFC 8555
 * status {@code revoked}) is refused at every request ({@code unauthorized}), new-order, challenge and finalize
 * included; revoking an EAB key revokes the account it bound, in the same transaction. Certificates already issued
 * stay valid: revoking them is {@code cert revoke}.
 */
@Singleton
public class AcmeAccountAdmin {
    /** An EAB key and the account it bound, after a revocation. */
    public record RevokedEab(AcmeEabKey key, Optional<AcmeAccount> account) {}

    private final AcmeRepositories.Accounts accounts;
    private final AcmeRepositories.EabKeys eabKeys;
    private final AuditLog audit;
    private final Clock clock;

    public AcmeAccountAdmin(
            AcmeRepositories.Accounts accounts, AcmeRepositories.EabKeys eabKeys, AuditLog audit, Clock clock) {
        this.accounts = accounts;
        this.eabKeys = eabKeys;
        this.audit = audit;
        this.clock = clock;
    }

    /** The newest binding keys (their HMAC keys are for the answer that made them only: never shown again). */
    public List<AcmeEabKey> eabKeys(int limit) {
        return eabKeys.newest(limit);
    }

    public List<AcmeAccount> accounts(int limit) {
        return accounts.newest(limit);
    }

    @Transactional
    public AcmeAccount revokeAccount(String id, String admin) {
        AcmeAccount account = accounts.findById(id)
                .orElseThrow(() -> PkiException.notFound("acme_account_not_found", "no ACME account " + id));
        if (accounts.revoke(id) != 1) {
            throw PkiException.conflict("acme_account_revoked", "ACME account " + id + " is already revoked");
        }
        audit.record(
                admin,
                "acme.account.revoke",
                "acme-account:" + id,
                AuditLog.OK,
                "was=" + account.status().text() + " eab=" + account.eabKid());
        return accounts.findById(id).orElseThrow();
    }

    @Transactional
    public RevokedEab revokeEab(String kid, String admin) {
        if (eabKeys.findById(kid).isEmpty()) {
            throw PkiException.notFound("acme_eab_not_found", "no ACME binding key " + kid);
        }
        if (eabKeys.revoke(kid, clock.instant()) != 1) {
            throw PkiException.conflict("acme_eab_revoked", "ACME binding key " + kid + " is already revoked");
        }
        // read again under the row lock the update took: an account bound meanwhile is seen, and revoked too
        AcmeEabKey key = eabKeys.findById(kid).orElseThrow();
        Optional<AcmeAccount> bound = Optional.ofNullable(key.accountId()).flatMap(accounts::findById);
        boolean accountRevoked =
                bound.isPresent() && accounts.revoke(bound.get().id()) == 1;
        audit.record(
                admin,
                "acme.eab.revoke",
                "eab:" + kid,
                AuditLog.OK,
                "service=" + key.service() + " account=" + key.accountId()
                        + (accountRevoked ? " (revoked with it)" : ""));
        if (accountRevoked) {
            audit.record(
                    admin,
                    "acme.account.revoke",
                    "acme-account:" + key.accountId(),
                    AuditLog.OK,
                    "was=" + bound.get().status().text() + " eab=" + kid + " (its binding key was revoked)");
        }
        return new RevokedEab(eabKeys.findById(kid).orElseThrow(), bound.flatMap(a -> accounts.findById(a.id())));
    }
}
