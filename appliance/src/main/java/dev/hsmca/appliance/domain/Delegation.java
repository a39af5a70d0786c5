package dev.hsmca.appliance.domain;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A share of the administrator's power handed to an identity that is not the administrator (an OIDC rule): it may
 * create credentials of some kinds for some services, allowing some DNS names. The policy authority decides whether a
 * credential asked for stays inside it.
 *
 * @param rule     where it comes from, for the audit trail and refusals
 * @param creates  the kinds of credential it may create
 * @param services the services, exactly or with {@code *} for any run of characters ({@code agent-*})
 * @param dnsNames the DNS names the credentials may allow: exact or {@code *.domain} (see {@link Names#matches})
 */
public record Delegation(String rule, Set<Kind> creates, List<String> services, List<String> dnsNames) {

    /** What may be created. */
    public enum Kind {
        INSTALL_TOKEN("install tokens"),
        ENROLL_KEY("enrollment keys");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public Delegation {
        creates = Set.copyOf(creates);
        services = List.copyOf(services);
        dnsNames = List.copyOf(dnsNames);
    }

    public boolean coversService(String service) {
        return services.stream().anyMatch(p -> glob(p).matcher(service).matches());
    }

    public boolean coversDns(String name) {
        return dnsNames.stream().anyMatch(p -> Names.matches(p, name));
    }

    private static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }
}
