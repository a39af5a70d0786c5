package dev.hsmca.appliance.acme;

import com.nimbusds.jose.jwk.JWK;
import io.micronaut.core.annotation.Nullable;
import java.util.List;
import java.util.function.Predicate;

/**
 * newAccount (RFC 8555 §7.3), read from the request at the edge.
 *
 * @param key                the public key the request was signed with: the new account's key
 * @param onlyReturnExisting the client only looks its account up
 * @param contact            the contacts as sent (checked here: a few mailto: addresses); empty for none
 * @param binding            the External Account Binding, if the client sent one
 */
public record NewAccount(
        JWK key,
        boolean onlyReturnExisting,
        List<String> contact,
        @Nullable Binding binding) {
    public NewAccount {
        contact = List.copyOf(contact);
    }

    /**
     * The binding's inner JWS (§7.3.4), its envelope checked at the edge (a flattened JWS for the newAccount URL):
     * the key id it names, the key it signs, and a check of its MAC with the key the admin made for that id.
     */
    public record Binding(@Nullable String kid, JWK boundKey, Predicate<byte[]> macVerifies) {}
}
