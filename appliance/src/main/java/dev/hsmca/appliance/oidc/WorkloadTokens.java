package dev.hsmca.appliance.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.domain.WorkloadGrant;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.store.WorkloadService;
import dev.hsmca.appliance.store.WorkloadServiceRepository;
import dev.hsmca.appliance.store.WorkloadTokenRepository;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workload tokens exchanged for certificates: a JWT of a configured workload issuer, meant for this appliance, valid
 * for a short time, whose subject the issuer's pattern matches, becomes a {@link WorkloadGrant} with the names the
 * templates make of it. Each token is used once: its {@code jti} is recorded in the write that stores the
 * certificate, so a replay (or two racing uses) is refused by the store, never by a check that two requests pass.
 */
@Singleton
public class WorkloadTokens {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z][A-Za-z0-9]*)}");
    private static final Pattern GROUP = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");
    private static final long CLEANUP_MILLIS = 60_000;

    /** An issuer, checked at start. */
    private record Workload(OidcVerifier verifier, WorkloadIssuerConfig config, Pattern subject) {}

    private final Map<String, Workload> byIssuer = new HashMap<>();
    private final WorkloadTokenRepository repository;
    private final WorkloadServiceRepository services;
    private final Clock clock;
    private final AtomicLong cleanedAt = new AtomicLong();

    public WorkloadTokens(
            List<WorkloadIssuerConfig> issuers,
            List<OidcIssuerConfig> adminIssuers,
            WorkloadTokenRepository repository,
            WorkloadServiceRepository services,
            Profiles profiles,
            Clock clock) {
        this.repository = repository;
        this.services = services;
        this.clock = clock;
        Set<String> admin = new HashSet<>();
        adminIssuers.forEach(c -> admin.add(c.issuer() + " " + c.audience()));
        Set<String> serviceTemplates = new HashSet<>();
        for (WorkloadIssuerConfig c : issuers) {
            String where = "pki.workload.issuers." + c.name();
            // a token good for one must not be good for the other: a used workload token on the admin API, an admin's
            // token exchanged for a certificate
            TrustedIssuer.require(
                    !admin.contains(c.issuer() + " " + c.audience()),
                    where,
                    "the same issuer and audience are trusted by pki.oidc: give the workloads their own audience");
            TrustedIssuer.require(!byIssuer.containsKey(c.issuer()), where, "another workload issuer has this issuer");
            TrustedIssuer.require(
                    serviceTemplates.add(c.service()),
                    where,
                    "another workload issuer makes services with the same template; give each its own prefix");
            TrustedIssuer trusted = TrustedIssuer.checked(where, c);
            Pattern subject = Pattern.compile(c.subject());
            Set<String> groups = new HashSet<>();
            GROUP.matcher(c.subject()).results().forEach(r -> groups.add(r.group(1)));
            List<String> templates = new ArrayList<>(c.dns());
            templates.addAll(c.uris());
            templates.add(c.service());
            for (String t : templates) {
                PLACEHOLDER
                        .matcher(t)
                        .results()
                        .forEach(r -> TrustedIssuer.require(
                                groups.contains(r.group(1)),
                                where,
                                "{" + r.group(1) + "} is not a named group of subject"));
            }
            Profile profile;
            try {
                profile = profiles.requestable(c.profile());
            } catch (PkiException e) {
                throw new IllegalStateException(where + ": " + e.getMessage(), e);
            }
            TrustedIssuer.require(
                    !c.maxValidity().isNegative()
                            && !c.maxValidity().isZero()
                            && c.maxValidity().compareTo(Duration.ofDays(profile.maxValidityDays())) <= 0,
                    where,
                    "max-validity must be positive and at most profile " + profile.name() + "'s maximum");
            TrustedIssuer.require(
                    !c.maxTokenLifetime().isNegative() && !c.maxTokenLifetime().isZero(),
                    where,
                    "max-token-lifetime must be positive");
            byIssuer.put(c.issuer(), new Workload(new OidcVerifier(trusted, clock), c, subject));
        }
    }

    /** Whether any workload issuer is configured. */
    public boolean enabled() {
        return !byIssuer.isEmpty();
    }

    /** The grant a workload token carries, or 401 (not a valid token of a workload issuer) / 403 (its subject). */
    public WorkloadGrant authenticate(String token) {
        SignedJWT jwt = OidcVerifier.parse(token);
        String iss = OidcVerifier.issuerOf(jwt);
        Workload workload = iss == null ? null : byIssuer.get(iss);
        if (workload == null) {
            throw OidcVerifier.refused("wrong_issuer", "the token's issuer is not a workload issuer of this appliance");
        }
        JWTClaimsSet claims = workload.verifier().verify(jwt);
        WorkloadIssuerConfig c = workload.config();
        String jti = claims.getJWTID();
        if (jti == null || jti.isBlank() || jti.length() > 300) {
            throw OidcVerifier.refused("token_invalid", "a workload token must carry a jti (its single use)");
        }
        Instant exp = claims.getExpirationTime().toInstant();
        Instant from = claims.getIssueTime() != null ? claims.getIssueTime().toInstant() : clock.instant();
        if (Duration.between(from, exp).compareTo(c.maxTokenLifetime()) > 0) {
            throw OidcVerifier.refused(
                    "token_too_long_lived",
                    "a workload token may be valid for at most " + c.maxTokenLifetime() + "; ask for a shorter one");
        }
        String sub = claims.getSubject();
        if (sub.length() > 256) {
            throw OidcVerifier.refused("token_invalid", "the token's sub is longer than 256 characters");
        }
        if (repository.findById(c.name() + " " + jti).isPresent()) {
            // refused before anything is signed; the write below is what keeps two racing uses to one
            throw replayed();
        }
        Matcher m = workload.subject().matcher(sub);
        if (!m.matches()) {
            throw refusedSubject(sub, "does not match the issuer's subject pattern");
        }
        String service = fill(c.service(), m);
        if (!ServiceId.isValid(service) || ServiceId.RESERVED.contains(service)) {
            throw refusedSubject(sub, "makes the service '" + Names.printable(service) + "', which is not one");
        }
        List<String> dns = filled(c.dns(), m, Names::dnsName, sub, "DNS name");
        List<String> uris = filled(c.uris(), m, Names::uri, sub, "URI");
        requireOwner(service, c.name(), sub);
        cleanUp(clock.instant()); // its own statement, not the issuance's write: a refused issuance keeps it
        return new WorkloadGrant(c.name(), sub, jti, exp, service, c.profile(), dns, uris, c.maxValidity());
    }

    /** The token's part of the issuance's write: its single use recorded, or 401 {@code token_replayed}. */
    public IssuanceCommand.Claim claim(WorkloadGrant grant) {
        return new IssuanceCommand.Claim() {
            @Override
            public void before(String serial) {
                Instant now = clock.instant();
                String id = grant.issuer() + " " + grant.jti();
                if (repository.use(id, grant.issuer(), grant.jti(), grant.subject(), grant.expiresAt(), now, serial)
                        != 1) {
                    throw replayed();
                }
                if (services.claim(grant.service(), grant.issuer(), grant.subject(), now) != 1) {
                    requireOwner(grant.service(), grant.issuer(), grant.subject()); // a racing other subject
                }
            }
        };
    }

    /**
     * A service made by the templates belongs to the first workload to get a certificate for it: another subject
     * making the same name, or a service with certificates from another credential, is refused (403
     * {@code service_taken}).
     */
    private void requireOwner(String service, String issuer, String subject) {
        Optional<WorkloadService> owner = services.findById(service);
        if (owner.isEmpty() && repository.certificatesOf(service) > 0) {
            // read again: this workload's own first certificate (owner row and certificate in one write) may have
            // been committed between the two reads above
            owner = services.findById(service);
            if (owner.isEmpty()) {
                throw PkiException.forbidden(
                        "service_taken", "service '" + service + "' has certificates from another credential");
            }
        }
        if (owner.isPresent()
                && (!owner.get().issuer().equals(issuer)
                        || !owner.get().subject().equals(subject))) {
            throw PkiException.forbidden(
                    "service_taken",
                    "service '" + service + "' belongs to another workload ("
                            + owner.get().issuer() + ")");
        }
    }

    private static PkiException replayed() {
        return OidcVerifier.refused(
                "token_replayed", "this workload token was already exchanged for a certificate; use a fresh token");
    }

    /** Uses of tokens expired a day ago are forgotten (a token past its exp is refused anyway), once a minute. */
    private void cleanUp(Instant now) {
        long last = cleanedAt.get();
        if (now.toEpochMilli() - last > CLEANUP_MILLIS && cleanedAt.compareAndSet(last, now.toEpochMilli())) {
            repository.deleteExpired(now.minus(Duration.ofDays(1)));
        }
    }

    private static List<String> filled(
            List<String> templates, Matcher m, Function<String, String> canonical, String sub, String kind) {
        List<String> names = new ArrayList<>();
        for (String t : templates) {
            String raw = fill(t, m);
            String name = canonical.apply(raw);
            if (name == null) {
                throw refusedSubject(sub, "makes the " + kind + " '" + Names.printable(raw) + "', which is not one");
            }
            names.add(name);
        }
        return names;
    }

    /** The template with the subject's groups; a group that took no part in the match makes the name empty. */
    private static String fill(String template, Matcher m) {
        return PLACEHOLDER.matcher(template).replaceAll(r -> {
            String value = m.group(r.group(1));
            return Matcher.quoteReplacement(value == null ? "" : value);
        });
    }

    private static PkiException refusedSubject(String sub, String why) {
        return PkiException.forbidden(
                "subject_not_allowed", "the token's subject '" + Names.printable(sub) + "' " + why);
    }
}
