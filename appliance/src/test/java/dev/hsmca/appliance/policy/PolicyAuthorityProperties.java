package dev.hsmca.appliance.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.domain.EnrollKeyGrant;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.ProfileConfig;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.EnrollKey;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.security.auth.x500.X500Principal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The policy authority over random grants and random requests: whatever a request asks, what is decided stays inside
 * what was granted (names, subject, profile, service, lifetime), through chains of renewals too; anything else is a
 * 400 or 403, never another failure.
 */
class PolicyAuthorityProperties {
    static final Profiles PROFILES = new Profiles(List.of(
            new ProfileConfig(
                    "tls-server",
                    List.of("digitalSignature"),
                    List.of("serverAuth"),
                    397,
                    Duration.ofMinutes(5),
                    true,
                    true,
                    null,
                    null,
                    true),
            new ProfileConfig(
                    "tls-client",
                    List.of("digitalSignature"),
                    List.of("clientAuth"),
                    397,
                    Duration.ofMinutes(5),
                    false,
                    true,
                    null,
                    null,
                    true),
            new ProfileConfig(
                    "agent",
                    List.of("digitalSignature"),
                    List.of("clientAuth"),
                    30,
                    Duration.ofMinutes(5),
                    false,
                    true,
                    "C=US,O=KubeAtlas",
                    null,
                    true),
            new ProfileConfig(
                    "short",
                    List.of("digitalSignature"),
                    List.of("serverAuth"),
                    1,
                    Duration.ofMinutes(5),
                    false,
                    true,
                    null,
                    null,
                    true)));
    static final PolicyAuthority PA = new PolicyAuthority(PROFILES, ReservedNames.NONE);
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    /** Names a grant may hold (canonical, as token creation keeps them). */
    static final List<String> DNS = List.of(
            "api.shop.example",
            "db.shop.example",
            "*.shop.example",
            "a.b.shop.example",
            "billing.internal",
            "web.internal",
            "localhost",
            "xn--bcher-kva.example");
    /** Names a CSR may carry: those, and what the CSR check would have refused or canonicalized. */
    static final List<String> ASKED_DNS = List.of(
            "api.shop.example",
            "x.shop.example",
            "*.shop.example",
            "a.b.shop.example",
            "billing.internal",
            "ab--cd.example",
            "Upper.example",
            "xn--zz.example",
            "evil.example");

    static final List<String> IPS =
            List.of("10.0.0.1", "10.0.0.2", "192.168.1.5", "0:0:0:0:0:0:0:1", "2001:db8:0:0:0:0:0:1");
    /** As CSRs carry them: canonical, and spellings the CSR check would have canonicalized. */
    static final List<String> ASKED_IPS = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "0:0:0:0:0:0:0:1", "::1");

    static final List<String> URIS = List.of("spiffe://td/ns/shop/sa/api", "spiffe://td/ns/shop/sa/db");
    static final List<String> CLIENTS = List.of("agent-foo", "agent-bar", "db_admin");
    /** CNs a client might send: names of every kind, other spellings of them, and what must never pass. */
    static final List<String> CNS = List.of(
            "api.shop.example",
            "API.Shop.Example",
            "api.shop.example.",
            "db.shop.example",
            "x.shop.example",
            "10.0.0.1",
            "::1",
            "agent-foo",
            "Agent-Foo",
            "db_admin",
            "root",
            "Billing Service",
            "evil\nline.example",
            "tab\there",
            "bücher.example",
            "xn--bcher-kva.example",
            "a".repeat(65),
            "*.shop.example",
            "billing.internal",
            "spiffe://td/ns/shop/sa/api",
            "");

    @Property(tries = 2000)
    void decisionsStayInsideTheGrant(@ForAll("scenarios") Scenario scenario) {
        Statistics.coverage(c -> c.check("issued").count(n -> n >= 200)); // not passing by refusing everything
        Entitlement grant = scenario.grant();
        CertificateAsk ask = scenario.ask();
        Decision d;
        try {
            d = PA.decide(grant, ask);
        } catch (PkiException e) {
            Statistics.collect("refused " + e.code());
            assertTrue(
                    e.kind() == PkiException.Kind.MALFORMED || e.kind() == PkiException.Kind.FORBIDDEN,
                    "a refusal is a 400 or 403: " + e.kind() + " " + e.code());
            return;
        }
        Statistics.collect("issued");
        assertInside(grant, grant, d);
        if (ask.identity() == CertificateAsk.Identity.EXACT) {
            assertEquals(
                    new TreeSet<>(grant.dnsNames()),
                    new TreeSet<>(d.dnsNames()),
                    "an ACME order gets exactly its names");
        }
        if (ask.validity() != null) {
            assertEquals(ask.validity(), d.validity(), "a lifetime asked for is granted as asked or refused");
        }
    }

    /** The appliance's own names in {@link #reservedNamesAreNeverHandedOut}: one a wildcard covers, an IP address. */
    static final Set<String> APPLIANCE = Set.of("x.shop.example", "10.0.0.2");

    static final PolicyAuthority PA_NAMED = new PolicyAuthority(PROFILES, () -> APPLIANCE);

    /**
     * What an install token or an enrollment key gets never carries, as a SAN or as its CN, one of the appliance's own
     * TLS names or a wildcard covering one; what the administrator, the appliance and the other grants get is
     * decided as if nothing were reserved.
     */
    @Property(tries = 2000)
    void reservedNamesAreNeverHandedOut(@ForAll("scenarios") Scenario scenario) {
        Statistics.coverage(c -> c.check("refused reserved_name").count(n -> n >= 10));
        Entitlement grant = scenario.grant();
        boolean handedOut = grant.source() == Entitlement.Source.INSTALL_TOKEN
                || grant.source() == Entitlement.Source.ENROLLMENT_KEY;
        Decision d;
        try {
            d = PA_NAMED.decide(grant, scenario.ask());
        } catch (PkiException e) {
            Statistics.collect("refused " + e.code());
            if (e.code().equals("reserved_name")) {
                assertTrue(handedOut, "only a token's or a key's names are reserved: " + grant.source());
                assertEquals(PkiException.Kind.FORBIDDEN, e.kind());
            }
            return;
        }
        Statistics.collect("issued");
        if (handedOut) {
            List<String> names = new ArrayList<>(d.dnsNames());
            names.addAll(d.ipAddresses());
            if (d.commonName() != null) {
                names.add(d.commonName());
            }
            for (String n : names) {
                assertTrue(ReservedNames.covered(APPLIANCE, n) == null, "handed out " + n);
            }
        } else {
            assertEquals(d, PA.decide(grant, scenario.ask()), "nothing reserved for " + grant.source());
        }
    }

    @Property(tries = 500)
    void renewalChainsNeverOutgrowTheFirstGrant(@ForAll("chains") Chain chain) {
        Statistics.coverage(c -> c.check("renewed").count(n -> n >= 25));
        Entitlement grant = chain.grant();
        Decision d;
        try {
            d = PA.decide(grant, chain.first());
        } catch (PkiException e) {
            Statistics.collect("first refused " + e.code());
            return;
        }
        int renewed = 0;
        List<CertificateAsk> renewals = chain.renewals();
        for (CertificateAsk renewal : renewals) {
            Entitlement holder = new HolderGrant(stored(d)).entitlement();
            try {
                d = PA.decide(holder, renewal);
            } catch (PkiException e) {
                assertTrue(
                        e.kind() == PkiException.Kind.MALFORMED || e.kind() == PkiException.Kind.FORBIDDEN, e.code());
                continue;
            }
            renewed++;
            assertInside(grant, holder, d);
        }
        Statistics.collect(renewed > 0 ? "renewed" : "none renewed");
    }

    /**
     * An enrollment key's grant, built as the authorizer builds it from the stored key: whatever is issued with it —
     * the first certificate (REST) and every renewal after it (mTLS) — is within the key's names (exact and one-label
     * wildcards), its profile, its service and its lifetime cap; it never carries a URI or a client-name CN, which a
     * key cannot grant.
     */
    @Property(tries = 1000)
    void enrollmentKeyGrantsStayInsideTheKey(@ForAll("keyChains") Chain chain) {
        Statistics.coverage(c -> c.check("issued").count(n -> n >= 100));
        Entitlement grant = chain.grant();
        assertEquals(Entitlement.Source.ENROLLMENT_KEY, grant.source());
        Decision d;
        try {
            d = PA.decide(grant, chain.first());
        } catch (PkiException e) {
            Statistics.collect("refused " + e.code());
            assertTrue(
                    e.kind() == PkiException.Kind.MALFORMED || e.kind() == PkiException.Kind.FORBIDDEN,
                    "a refusal is a 400 or 403: " + e.kind() + " " + e.code());
            return;
        }
        Statistics.collect("issued");
        assertInsideKey(grant, grant, d);
        for (CertificateAsk renewal : chain.renewals()) {
            Entitlement holder = new HolderGrant(stored(d)).entitlement();
            try {
                d = PA.decide(holder, renewal);
            } catch (PkiException e) {
                assertTrue(
                        e.kind() == PkiException.Kind.MALFORMED || e.kind() == PkiException.Kind.FORBIDDEN, e.code());
                continue;
            }
            assertInsideKey(grant, holder, d);
        }
    }

    private static void assertInsideKey(Entitlement key, Entitlement direct, Decision d) {
        assertInside(key, direct, d);
        assertEquals(key.profile(), d.profile().name(), "the key's profile");
        assertEquals(key.service(), d.service(), "the key's service");
        assertTrue(d.uris().isEmpty(), "a key grants no URI: " + d.uris());
        assertTrue(
                d.commonName() == null
                        || d.dnsNames().contains(d.commonName())
                        || d.ipAddresses().contains(d.commonName()),
                "the CN is one of the key's names: " + d.commonName());
        assertTrue(d.maxValidity().compareTo(key.maxValidity()) <= 0, "the carried cap grew: " + d.maxValidity());
        assertEquals(key.enrollKey(), d.enrollKey(), "the key is carried with the certificate to its renewals");
    }

    @Provide
    Arbitrary<Entitlement> keyGrants() {
        Arbitrary<String> profile = Arbitraries.of("tls-server", "tls-client", "agent", "short");
        Arbitrary<Long> cap =
                Arbitraries.longs().between(60, Duration.ofDays(800).toSeconds());
        return Combinators.combine(profile, subset(DNS), subset(IPS), cap)
                .as((p, dns, ips, max) -> new EnrollKeyGrant(
                                new EnrollKey(
                                        "0123456789abcdef",
                                        "0".repeat(64),
                                        "svc",
                                        String.join(",", dns),
                                        String.join(",", ips),
                                        p,
                                        max,
                                        20,
                                        null,
                                        0,
                                        T0,
                                        0,
                                        T0.plus(Duration.ofDays(30)),
                                        T0,
                                        "admin:1",
                                        null,
                                        null,
                                        null,
                                        null),
                                "enroll-key:0123456789abcdef@192.0.2.1")
                        .entitlement());
    }

    @Provide
    Arbitrary<Chain> keyChains() {
        return keyGrants()
                .flatMap(g -> Combinators.combine(
                                asks(g, Arbitraries.just(CertificateAsk.Identity.REQUESTED), 1),
                                asks(g, Arbitraries.just(CertificateAsk.Identity.GRANTED), 1)
                                        .list()
                                        .ofMaxSize(4))
                        .as((first, renewals) -> new Chain(g, first, renewals)));
    }

    @Property(tries = 1000)
    void onlyAdministratorsTouchHoldsOrChangeReasons(
            @ForAll Entitlement.Source revoker,
            @ForAll RevocationReason current,
            @ForAll boolean revoked,
            @ForAll RevocationReason asked) {
        CertificateRecord record =
                record(revoked ? CertificateStatus.REVOKED : CertificateStatus.VALID, revoked ? current.text() : null);
        try {
            PA.checkRevocation(revoker, record, asked);
        } catch (PkiException e) {
            assertEquals(PkiException.Kind.FORBIDDEN, e.kind());
            assertTrue(revoker != Entitlement.Source.ADMIN && revoker != Entitlement.Source.SYSTEM);
            return;
        }
        if (revoker != Entitlement.Source.ADMIN && revoker != Entitlement.Source.SYSTEM) {
            assertTrue(PolicyAuthority.HOLDER_REASONS.contains(asked), "a holder used " + asked);
            assertTrue(!revoked || current.text().equals(asked.text()), "a holder changed " + current + " to " + asked);
        }
    }

    /** What {@code d} decided is within {@code original} (names, cap) and {@code direct} (profile, service, names). */
    static void assertInside(Entitlement original, Entitlement direct, Decision d) {
        for (Entitlement g : List.of(original, direct)) {
            if (g.anyName()) {
                continue;
            }
            d.dnsNames()
                    .forEach(n -> assertTrue(
                            g.dnsNames().stream().anyMatch(p -> Names.matches(p, n)),
                            n + " is not granted by " + g.dnsNames()));
            d.ipAddresses().forEach(n -> assertTrue(g.ipAddresses().contains(n), n + " not in " + g.ipAddresses()));
            d.uris().forEach(n -> assertTrue(g.uris().contains(n), n + " not in " + g.uris()));
            if (d.commonName() != null
                    && !d.dnsNames().contains(d.commonName())
                    && !d.ipAddresses().contains(d.commonName())) {
                assertTrue(g.clientNames().contains(d.commonName()), "CN " + d.commonName() + " not granted");
            }
        }
        if (d.commonName() != null) {
            String cn = d.commonName();
            assertTrue(cn.length() <= 64 && cn.chars().allMatch(c -> c > 0x20 && c < 0x7f), "CN printable: " + cn);
            assertTrue(
                    d.dnsNames().contains(cn)
                            || d.ipAddresses().contains(cn)
                            || (Names.clientName(cn) != null
                                    && Names.clientName(cn).equals(cn)),
                    "CN is one of the names: " + cn);
        }
        Duration cap = original.maxValidity() == null ? d.profile().maxValidity() : original.maxValidity();
        assertTrue(d.validity().compareTo(cap) <= 0, d.validity() + " > the first grant's " + cap);
        assertTrue(d.validity().compareTo(d.profile().maxValidity()) <= 0, "over the profile's maximum");
        assertTrue(d.validity().compareTo(d.profile().minValidity()) >= 0, "under the profile's minimum");
        assertTrue(d.maxValidity().compareTo(cap) <= 0, "the stored cap grew: " + d.maxValidity());
        if (direct.profile() != null) {
            assertEquals(direct.profile(), d.profile().name());
        }
        if (direct.source() != Entitlement.Source.ADMIN) {
            assertEquals(direct.service(), d.service());
        }
    }

    /** The row the store would hold for a certificate of {@code d}, its subject as the JDK writes it. */
    static CertificateRecord stored(Decision d) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        d.profile().subject().forEach(a -> b.addRDN(a.type(), a.value()));
        if (d.commonName() != null) {
            b.addRDN(BCStyle.CN, d.commonName());
        }
        String subject;
        try {
            subject = new X500Principal(b.build().getEncoded()).getName();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new CertificateRecord(
                "0a",
                "issuing-1",
                subject,
                String.join(",", d.dnsNames()),
                String.join(",", d.ipAddresses()),
                d.profile().name(),
                d.service(),
                CertificateStatus.VALID,
                T0,
                T0.plus(d.validity()),
                null,
                null,
                new byte[0],
                T0,
                null,
                null,
                d.maxValidity().toSeconds(),
                d.uris().isEmpty() ? null : String.join(",", d.uris()),
                d.enrollKey(),
                null);
    }

    static CertificateRecord record(CertificateStatus status, String reason) {
        return new CertificateRecord(
                "0b",
                "issuing-1",
                "CN=x.example",
                "x.example",
                "",
                "tls-server",
                "svc",
                status,
                T0,
                T0.plus(Duration.ofDays(1)),
                reason == null ? null : T0,
                reason,
                new byte[0],
                T0,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    @Provide
    Arbitrary<Entitlement> grants() {
        Arbitrary<Entitlement.Source> source = Arbitraries.of(
                Entitlement.Source.INSTALL_TOKEN,
                Entitlement.Source.HOLDER,
                Entitlement.Source.ACME,
                Entitlement.Source.SYSTEM,
                Entitlement.Source.ADMIN);
        Arbitrary<String> profile = Arbitraries.of("tls-server", "tls-client", "agent", "short");
        Arbitrary<Duration> cap = Arbitraries.longs()
                .between(60, Duration.ofDays(800).toSeconds())
                .map(Duration::ofSeconds)
                .injectNull(0.2);
        return Combinators.combine(source, profile, subset(DNS), subset(IPS), subset(URIS), subset(CLIENTS), cap)
                .as((s, p, dns, ips, uris, clients, max) -> s == Entitlement.Source.ADMIN
                        ? Entitlement.admin("admin:1")
                        : new Entitlement(
                                s, s.name(), "svc", p, dns, ips, uris, Set.copyOf(clients), false, max, null, null));
    }

    /** A grant and a request against it. */
    record Scenario(Entitlement grant, CertificateAsk ask) {}

    /** A grant, a first request, and the renewal requests of the chain after it. */
    record Chain(Entitlement grant, CertificateAsk first, List<CertificateAsk> renewals) {}

    @Provide
    Arbitrary<Scenario> scenarios() {
        return grants().flatMap(g ->
                asks(g, Arbitraries.of(CertificateAsk.Identity.values()), 1).map(a -> new Scenario(g, a)));
    }

    @Provide
    Arbitrary<Chain> chains() {
        return grants().flatMap(g -> Combinators.combine(
                        asks(g, Arbitraries.just(CertificateAsk.Identity.REQUESTED), 0),
                        asks(g, Arbitraries.just(CertificateAsk.Identity.GRANTED), 1)
                                .list()
                                .ofMaxSize(6))
                .as((first, renewals) -> new Chain(g, first, renewals)));
    }

    /**
     * Requests against {@code g}: mostly names it grants (so that many are issued and the checks bite), some names
     * and CNs of every other kind, lifetimes below, at and far above its cap.
     */
    private static Arbitrary<CertificateAsk> asks(
            Entitlement g, Arbitrary<CertificateAsk.Identity> identity, int junk) {
        List<String> grantedDns = new ArrayList<>();
        for (String p : g.dnsNames()) {
            grantedDns.add(p.startsWith("*.") ? "q" + p.substring(1) : p);
            grantedDns.add(p);
        }
        List<String> grantedCn = new ArrayList<>(grantedDns);
        grantedCn.addAll(g.clientNames());
        grantedCn.addAll(g.ipAddresses());
        Arbitrary<String> cn = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(null)),
                Tuple.of(8, grantedCn.isEmpty() ? Arbitraries.just(null) : Arbitraries.of(grantedCn)),
                Tuple.of(2 * junk, Arbitraries.of(CNS)),
                Tuple.of(junk, Arbitraries.strings().ofMaxLength(70)));
        Arbitrary<List<String>> dns =
                Arbitraries.frequencyOf(Tuple.of(8, subset(grantedDns)), Tuple.of(junk, subset(ASKED_DNS)));
        Arbitrary<List<String>> ips =
                Arbitraries.frequencyOf(Tuple.of(8, subset(g.ipAddresses())), Tuple.of(junk, subset(ASKED_IPS)));
        Arbitrary<List<String>> uris =
                Arbitraries.frequencyOf(Tuple.of(8, subset(g.uris())), Tuple.of(junk, subset(URIS)));
        long cap = g.maxValidity() == null
                ? Duration.ofDays(397).toSeconds()
                : g.maxValidity().toSeconds();
        Arbitrary<Duration> validity = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(4, Arbitraries.longs().between(300, Math.max(300, cap)).map(Duration::ofSeconds)),
                Tuple.of(
                        1,
                        Arbitraries.longs()
                                .between(1, Duration.ofDays(900).toSeconds())
                                .map(Duration::ofSeconds)));
        Arbitrary<String> profile = Arbitraries.frequencyOf(
                Tuple.of(g.profile() == null ? 0 : 8, Arbitraries.just(null)),
                Tuple.of(8, Arbitraries.just(g.profile() == null ? "tls-client" : g.profile())),
                Tuple.of(junk, Arbitraries.of("tls-server", "tls-client", "agent", "short")));
        Arbitrary<String> service = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(null)), Tuple.of(junk, Arbitraries.of("svc", "other")));
        return Combinators.combine(cn, dns, ips, uris, profile, service, validity, identity)
                .as(CertificateAsk::new);
    }

    private static Arbitrary<List<String>> subset(List<String> pool) {
        if (pool.isEmpty()) {
            return Arbitraries.just(List.of());
        }
        return Arbitraries.of(pool)
                .list()
                .ofMaxSize(pool.size())
                .uniqueElements()
                .map(ArrayList::new);
    }
}
