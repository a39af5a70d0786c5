package dev.hsmca.appliance.acme;

import com.nimbusds.jose.jwk.JWK;
import dev.hsmca.appliance.store.AcmeAccount;

/**
 * Key rollover (RFC 8555 §7.3.5): the inner JWS was signed by {@code newKey} and names this account and
 * {@code oldKey} (checked at the edge); whether {@code oldKey} is the account's key, and {@code newKey} no other's,
 * is checked here.
 */
public record ChangeKey(AcmeAccount account, JWK oldKey, JWK newKey) {}
