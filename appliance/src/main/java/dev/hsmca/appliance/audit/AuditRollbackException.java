package dev.hsmca.appliance.audit;

import dev.hsmca.appliance.domain.PkiException;

/**
 * Issuance refused because the store went back under the running appliance ({@link AuditGuard}): a dependency
 * that cannot be trusted until an operator looks, so 503 with Retry-After, as for any unavailable dependency.
 */
public final class AuditRollbackException extends PkiException {
    public static final String CODE = "audit_rollback";

    AuditRollbackException() {
        super(
                Kind.UNAVAILABLE,
                CODE,
                "the certificate store went back to an older state under the running CA (its "
                        + "audit log lost anchored entries); issuance is stopped until an operator has checked the store");
    }
}
