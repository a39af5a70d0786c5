package dev.hsmca.appliance.domain;

import dev.hsmca.appliance.store.GroupCommit;
import dev.hsmca.hsm.HsmException;
import java.sql.SQLException;

/**
 * Names what an exception means for the caller: a domain refusal keeps its kind; an HSM or store failure anywhere
 * in the cause chain is {@link PkiException.Kind#UNAVAILABLE} (retry later, never a 500); anything else is internal.
 */
public final class Failures {
    public static final String HSM_UNAVAILABLE = "hsm_unavailable";
    public static final String STORE_UNAVAILABLE = "store_unavailable";
    public static final String INTERNAL_ERROR = "internal_error";

    private Failures() {}

    public static PkiException classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PkiException p) {
                return p;
            }
            if (t instanceof GroupCommit.NotConfirmed n) {
                return new PkiException(
                        PkiException.Kind.UNAVAILABLE,
                        STORE_UNAVAILABLE,
                        n.mayBeStored()
                                ? "the certificate store did not confirm the change in time; it may have been stored: look "
                                        + "before retrying"
                                : "the certificate store did not answer in time; nothing was issued or "
                                        + "changed; try again later",
                        error);
            }
            if (t instanceof HsmException) {
                return new PkiException(
                        PkiException.Kind.UNAVAILABLE,
                        HSM_UNAVAILABLE,
                        "the HSM is unavailable; nothing was issued or changed; try again later",
                        error);
            }
            if (isStore(t)) {
                return new PkiException(
                        PkiException.Kind.UNAVAILABLE,
                        STORE_UNAVAILABLE,
                        "the certificate store is unavailable; nothing was issued or changed; try again later",
                        error);
            }
        }
        return new PkiException(
                PkiException.Kind.INTERNAL, INTERNAL_ERROR, "the server failed to handle the request", error);
    }

    private static boolean isStore(Throwable t) {
        if (t instanceof SQLException) {
            return true;
        }
        // Micronaut Data and transaction failures, without a compile-time tie to their packages here
        String name = t.getClass().getName();
        return name.startsWith("io.micronaut.data.exceptions.")
                || name.startsWith("io.micronaut.transaction.exceptions.");
    }
}
