package dev.hsmca.appliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.domain.Delegation;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * What an identity that is not the administrator may create (an OIDC rule's delegations): a credential is allowed
 * exactly when one delegation of the right kind covers its service, every DNS name, and it allows no IP address, no
 * URI and no client name but the service's own. The model below restates that rule independently of the code (its
 * own glob and wildcard matching), over small alphabets so that near misses are common.
 */
class DelegationProperties {
    static final PolicyAuthority PA = new PolicyAuthority(PolicyAuthorityProperties.PROFILES, ReservedNames.NONE);

    record Ask(
            Delegation.Kind kind,
            String service,
            List<String> dns,
            List<String> ips,
            List<String> clientNames,
            List<String> uris) {}

    @Property(tries = 3000)
    void allowedExactlyInsideADelegation(@ForAll("delegations") List<Delegation> delegations, @ForAll("asks") Ask ask) {
        Operator operator = new Operator("oidc:test:1", false, delegations);
        boolean expected = delegations.stream().anyMatch(d -> covers(d, ask));
        boolean allowed;
        try {
            PA.requireDelegated(
                    operator, ask.kind(), ask.service(), ask.dns(), ask.ips(), ask.clientNames(), ask.uris());
            allowed = true;
        } catch (PkiException e) {
            assertEquals("not_allowed", e.code());
            allowed = false;
        }
        Statistics.collect(allowed ? "allowed" : "refused");
        assertEquals(expected, allowed, () -> ask + " under " + delegations);
    }

    @Property(tries = 200)
    void theAdministratorIsNeverRefused(@ForAll("asks") Ask ask) {
        PA.requireDelegated(
                new Operator("admin:1", true, List.of()),
                ask.kind(),
                ask.service(),
                ask.dns(),
                ask.ips(),
                ask.clientNames(),
                ask.uris());
    }

    static boolean covers(Delegation d, Ask a) {
        return d.creates().contains(a.kind())
                && d.services().stream().anyMatch(p -> glob(p, a.service()))
                && a.dns().stream().allMatch(n -> d.dnsNames().stream().anyMatch(p -> wildcard(p, n)))
                && a.ips().isEmpty()
                && a.uris().isEmpty()
                && a.clientNames().stream().allMatch(c -> c.equals(a.service()) || c.equals("agent-" + a.service()));
    }

    /** {@code *} for any run of characters, by recursion rather than a regular expression. */
    static boolean glob(String p, String s) {
        if (p.isEmpty()) {
            return s.isEmpty();
        }
        if (p.charAt(0) == '*') {
            for (int i = 0; i <= s.length(); i++) {
                if (glob(p.substring(1), s.substring(i))) {
                    return true;
                }
            }
            return false;
        }
        return !s.isEmpty() && p.charAt(0) == s.charAt(0) && glob(p.substring(1), s.substring(1));
    }

    /** Exact, or {@code *.domain}: the wildcard itself or one label below the domain. */
    static boolean wildcard(String pattern, String name) {
        if (pattern.equals(name)) {
            return true;
        }
        if (!pattern.startsWith("*.")) {
            return false;
        }
        String domain = pattern.substring(2);
        int dot = name.indexOf('.');
        return dot > 0
                && name.substring(dot + 1).equals(domain)
                && !name.substring(0, dot).isEmpty();
    }

    @Provide
    Arbitrary<List<Delegation>> delegations() {
        Arbitrary<Delegation> one = Combinators.combine(
                        Arbitraries.of(Delegation.Kind.class).set().ofMinSize(1),
                        servicePattern().list().ofMinSize(1).ofMaxSize(2),
                        dnsPattern().list().ofMinSize(1).ofMaxSize(2))
                .as((kinds, services, dns) -> new Delegation("r", Set.copyOf(kinds), services, dns));
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Ask> asks() {
        return Combinators.combine(
                        Arbitraries.of(Delegation.Kind.class),
                        service(),
                        dnsName().list().ofMaxSize(2),
                        rarely(List.of("10.0.0.1")),
                        clientName().list().ofMaxSize(1).injectDuplicates(0.0),
                        rarely(List.of("spiffe://x/y")))
                .as(Ask::new);
    }

    /** Mostly nothing: one IP address or URI refuses every ask, and the interesting cases are the others. */
    static Arbitrary<List<String>> rarely(List<String> value) {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.just(List.<String>of())), Tuple.of(1, Arbitraries.just(value)));
    }

    static Arbitrary<String> service() {
        return Arbitraries.of("agent-x", "agent-", "agent-xy", "billing", "web-agent-x", "x");
    }

    static Arbitrary<String> servicePattern() {
        return Arbitraries.of("agent-*", "agent-x", "*", "*-x", "b*g", "web-*", "*agent*");
    }

    static Arbitrary<String> dnsName() {
        return Arbitraries.of(
                "a.agents.example",
                "agents.example",
                "a.b.agents.example",
                "*.agents.example",
                "a.agentsxexample",
                "bank.example");
    }

    static Arbitrary<String> dnsPattern() {
        return Arbitraries.of("*.agents.example", "agents.example", "a.agents.example", "*.example");
    }

    static Arbitrary<String> clientName() {
        return Arbitraries.of("agent-x", "agent-agent-x", "billing", "x", "agent-billing");
    }
}
