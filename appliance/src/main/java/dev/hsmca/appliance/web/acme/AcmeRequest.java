package dev.hsmca.appliance.web.acme;

import com.nimbusds.jose.jwk.JWK;
import dev.hsmca.appliance.acme.AcmeProblem;
import dev.hsmca.appliance.store.AcmeAccount;
import io.micronaut.core.annotation.Nullable;
import java.util.Map;

/**
 * A verified ACME request: signed by {@code key} (an account's when {@code account} is set, else a key sent in
 * the header), for this URL, with a fresh nonce. {@code payload} is null for POST-as-GET.
 */
record AcmeRequest(
        JWK key,
        @Nullable AcmeAccount account,
        @Nullable Map<String, Object> payload,
        String payloadText,
        Jose.Flattened jws) {

    AcmeAccount requireAccount() {
        if (account == null) {
            throw AcmeProblem.malformed("this request must be signed with an account key (kid)");
        }
        return account;
    }

    Map<String, Object> requirePayload() {
        if (payload == null) {
            throw AcmeProblem.malformed("this request needs a JSON payload");
        }
        return payload;
    }
}
