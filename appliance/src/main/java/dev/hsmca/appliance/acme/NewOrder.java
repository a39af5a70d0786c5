package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.store.AcmeAccount;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * newOrder (RFC 8555 §7.4): the account, as the request was checked, and the DNS names it orders, lower-cased and
 * de-duplicated, wildcards as {@code *.domain} (their syntax checked at the edge).
 */
public record NewOrder(AcmeAccount account, Set<String> names) {
    public NewOrder {
        names = Collections.unmodifiableSet(
                new LinkedHashSet<>(names)); // in the client's order, as the order lists them
    }
}
