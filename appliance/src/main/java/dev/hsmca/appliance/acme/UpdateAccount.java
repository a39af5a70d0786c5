package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeAccount;
import io.micronaut.core.annotation.Nullable;
import java.util.List;

/**
 * A POST to an account's URL (RFC 8555 §7.3.2, §7.3.6): by {@code account}, for the account {@code accountId} names;
 * null fields change nothing (all null: the account is read).
 *
 * @param contact new contacts (empty: none)
 * @param status  the status the client asks for (only {@code deactivated} is granted)
 */
public record UpdateAccount(
        AcmeAccount account,
        String accountId,
        @Nullable List<String> contact,
        @Nullable AcmeAccount.Status status) {
    public UpdateAccount {
        contact = contact == null ? null : List.copyOf(contact);
    }
}
