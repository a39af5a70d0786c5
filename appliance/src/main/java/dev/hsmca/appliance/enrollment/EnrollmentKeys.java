package dev.hsmca.appliance.enrollment;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.audit.Refusals;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.Delegation;
import dev.hsmca.appliance.domain.EnrollKeyGrant;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Failures;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.domain.Validity;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.policy.PolicyAuthority;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.EnrollKey;
import dev.hsmca.appliance.store.EnrollKeyRepository;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reusable enrollment keys: {@code hek_<id>_<secret>}, one per service, deployed as a secret so that a container that
 * starts fresh enrolls on its own. The id finds the row; the secret is compared, as a SHA-256, in constant time. Each
 * use is a normal issuance through the policy authority, counted in that issuance's write by one conditional UPDATE
 * ({@link EnrollKeyRepository#use}), so concurrent uses never get more certificates than the key has left.
 *
 * <p>A key that is not genuine is refused with 401 ({@code enroll_key_invalid}); a genuine key that is revoked,
 * expired or used up with 403 ({@code enroll_key_revoked}, {@code enroll_key_expired}, {@code enroll_key_exhausted}),
 * and one past its hour's uses with 429 ({@code enroll_key_rate_limited}). Refusals write no row of their own: they
 * are counted in {@link Refusals}, whose entries name the key ({@code enroll-key:<id>@address}) when it was genuine.
 */
@Singleton
public class EnrollmentKeys {
    public static final String PREFIX = "hek_";
    private static final Pattern KEY = Pattern.compile("^hek_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** A service's certificate, unless the key names another profile. */
    static final String DEFAULT_PROFILE = "tls-server";

    static final Duration DEFAULT_EXPIRY = Duration.ofDays(30);
    static final Duration MAX_EXPIRY = Duration.ofDays(366);
    static final Duration MIN_EXPIRY = Duration.ofMinutes(1);
    static final int MAX_USES = 1_000_000;
    static final int MAX_PER_HOUR = 100_000;
    /** What a refusal's audit entry names as its action. */
    public static final String USE_ACTION = "enroll_key.use";

    private final EnrollKeyRepository repository;
    private final Profiles profiles;
    private final AuditLog audit;
    private final Refusals refusals;
    private final PolicyAuthority policy;
    private final Clock clock;

    public EnrollmentKeys(
            EnrollKeyRepository repository,
            Profiles profiles,
            AuditLog audit,
            Refusals refusals,
            PolicyAuthority policy,
            Clock clock) {
        this.repository = repository;
        this.profiles = profiles;
        this.audit = audit;
        this.refusals = refusals;
        this.policy = policy;
        this.clock = clock;
    }

    public record Created(String key, EnrollKey record) {}

    /** Whether a bearer value is meant as an enrollment key (rather than an install token). */
    public static boolean looksLikeKey(String bearer) {
        return bearer != null && bearer.trim().startsWith(PREFIX);
    }

    @Transactional
    public Created create(CreateEnrollKeyRequest request, Operator operator) {
        String service = ServiceId.requireGrantable(request.service());
        Profile profile = profiles.requestable(request.profile() == null ? DEFAULT_PROFILE : request.profile());
        List<String> dns = InstallTokens.canonical(request.allowedDns(), InstallTokens.NameKind.DNS);
        List<String> ips = InstallTokens.canonical(request.allowedIps(), InstallTokens.NameKind.IP);
        if (dns.isEmpty() && ips.isEmpty()) {
            throw PkiException.malformed("no_names", "an enrollment key must allow allowed_dns or allowed_ips");
        }
        policy.requireDelegated(operator, Delegation.Kind.ENROLL_KEY, service, dns, ips, List.of(), List.of());
        policy.requireGrantable(
                Entitlement.Source.ENROLLMENT_KEY,
                Stream.concat(dns.stream(), ips.stream()).toList());
        if (String.join(",", dns).length() > 8192 || String.join(",", ips).length() > 2048) {
            throw PkiException.malformed(
                    "too_many_names", "the allowed names are too long to keep (DNS 8192, IP 2048 characters)");
        }
        Duration expires = request.expires() == null ? DEFAULT_EXPIRY : Validity.parse(request.expires());
        if (expires.compareTo(MIN_EXPIRY) < 0 || expires.compareTo(MAX_EXPIRY) > 0) {
            throw PkiException.malformed("invalid_expiry", "expires must be between 1m and 366d");
        }
        Duration cap = request.maxValidity() == null ? profile.maxValidity() : Validity.parse(request.maxValidity());
        if (cap.compareTo(profile.minValidity()) < 0 || cap.compareTo(profile.maxValidity()) > 0) {
            throw PkiException.malformed(
                    "invalid_validity",
                    "max_validity must be " + Validity.format(profile.minValidity()) + " to "
                            + Validity.format(profile.maxValidity()) + " for profile " + profile.name());
        }
        Integer maxUses = limit(request.maxUses(), MAX_USES, "max_uses");
        Integer perHour = limit(request.perHour(), MAX_PER_HOUR, "per_hour");
        String label = request.label();
        if (label != null
                && (label.isBlank() || label.length() > 128 || !label.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw PkiException.malformed("invalid_label", "label must be 1 to 128 printable characters");
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        EnrollKey record = repository.save(new EnrollKey(
                id,
                InstallTokens.sha256(secretText),
                service,
                String.join(",", dns),
                String.join(",", ips),
                profile.name(),
                cap.toSeconds(),
                maxUses,
                perHour,
                0,
                now,
                0,
                now.plus(expires),
                now,
                operator.actor(),
                null,
                null,
                null,
                label));
        audit.record(
                operator.actor(),
                "enroll_key.create",
                "enroll-key:" + id,
                AuditLog.OK,
                "service=" + service + " profile=" + profile.name() + " dns=" + dns + " ips=" + ips
                        + " max_validity=" + Validity.format(cap) + " max_uses=" + (maxUses == null ? "-" : maxUses)
                        + " per_hour=" + (perHour == null ? "-" : perHour) + " expires_at=" + record.expiresAt()
                        + (label == null ? "" : " label=" + label));
        return new Created(PREFIX + id + "_" + secretText, record);
    }

    private static Integer limit(Integer value, int max, String field) {
        if (value != null && (value < 1 || value > max)) {
            throw PkiException.malformed("invalid_limit", field + " must be between 1 and " + max);
        }
        return value;
    }

    /**
     * The key a bearer presents if it is genuine and usable now, as a grant; refused (and counted in {@link Refusals}
     * under {@code source}'s address) otherwise.
     *
     * @param address where the request came from, for the refusal's source
     */
    public EnrollKeyGrant authenticate(String bearer, String address) {
        Matcher m = bearer == null ? null : KEY.matcher(bearer.trim());
        if (m == null || !m.matches()) {
            throw refused("anonymous@" + address, invalid());
        }
        EnrollKey key = repository.findById(m.group(1)).orElse(null);
        byte[] presented = InstallTokens.sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = (key == null ? "0".repeat(64) : key.secretHash()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(presented, expected) || key == null) {
            throw refused("anonymous@" + address, invalid());
        }
        String source = "enroll-key:" + key.id() + "@" + address;
        PkiException unusable = unusable(key, clock.instant());
        if (unusable != null) {
            throw refused(source, unusable);
        }
        return new EnrollKeyGrant(key, source);
    }

    /**
     * Runs one use of a genuine key: a refusal of it — the key's counts, or the policy's (names, profile, lifetime,
     * CSR) — is recorded in {@link Refusals} under the key ({@code enroll-key:<id>@address}) and rethrown. A failure
     * of our own (store, HSM, a bug) is no refusal of the key and is not recorded.
     */
    public <T> T refusalsRecorded(EnrollKeyGrant grant, Supplier<T> use) {
        try {
            return use.get();
        } catch (RuntimeException e) {
            PkiException p = Failures.classify(e);
            if (p.kind() != PkiException.Kind.UNAVAILABLE && p.kind() != PkiException.Kind.INTERNAL) {
                refusals.refused(grant.source(), USE_ACTION, p.code());
            }
            throw e;
        }
    }

    /**
     * The key's part of an issuance's write: one use counted before the certificate is stored (or the issuance
     * refused, if racing uses took what was left), the certificate linked and the use audited after. Its refusals
     * are recorded by {@link #refusalsRecorded}, around the whole use. Not
     * {@code @Transactional} where it throws: that advice would mark a shared {@code GroupCommit} batch rollback-only.
     */
    public IssuanceCommand.Claim claim(EnrollKeyGrant grant) {
        EnrollKey key = grant.key();
        return new IssuanceCommand.Claim() {
            @Override
            public void before(String serial) {
                Instant now = clock.instant();
                if (repository.use(key.id(), now, now.minus(EnrollKey.WINDOW)) != 1) {
                    EnrollKey current = repository.findById(key.id()).orElse(key);
                    PkiException e = unusable(current, now);
                    throw e != null
                            ? e
                            : PkiException.forbidden("enroll_key_exhausted", "this enrollment key has no uses left");
                }
            }

            @Override
            public void after(CertificateRecord stored) {
                recordUse(grant, stored.serial());
            }
        };
    }

    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public void recordUse(EnrollKeyGrant grant, String serial) {
        repository.recordSerial(grant.key().id(), serial);
        audit.record(grant.actor(), USE_ACTION, "enroll-key:" + grant.key().id(), AuditLog.OK, "serial=" + serial);
    }

    public List<EnrollKey> list(String service, String state, int limit) {
        String s = state == null
                ? ""
                : EnrollKey.State.parse(state)
                        .map(EnrollKey.State::text)
                        .orElseThrow(() -> PkiException.malformed(
                                "invalid_state", "state must be one of active, exhausted, expired, revoked"));
        return repository.list(service == null ? "" : ServiceId.require(service), s, clock.instant(), limit);
    }

    @Transactional
    public EnrollKey revoke(String id, AdminGrant admin) {
        EnrollKey key = repository
                .findById(id)
                .orElseThrow(() ->
                        PkiException.notFound("enroll_key_not_found", "no enrollment key " + Names.printable(id)));
        if (repository.revoke(id, clock.instant()) != 1) {
            throw PkiException.conflict("enroll_key_not_revocable", "enrollment key " + id + " is already revoked");
        }
        audit.record(
                admin.actor(),
                "enroll_key.revoke",
                "enroll-key:" + id,
                AuditLog.OK,
                "service=" + key.service() + " uses=" + key.uses());
        return repository.findById(id).orElseThrow();
    }

    /** Why a genuine key may not be used at {@code now}, or null. */
    static PkiException unusable(EnrollKey key, Instant now) {
        if (key.revokedAt() != null) {
            return PkiException.forbidden(
                    "enroll_key_revoked", "enrollment key " + key.id() + " was revoked at " + key.revokedAt());
        }
        if (!key.expiresAt().isAfter(now)) {
            return PkiException.forbidden(
                    "enroll_key_expired", "enrollment key " + key.id() + " expired at " + key.expiresAt());
        }
        if (key.maxUses() != null && key.uses() >= key.maxUses()) {
            return PkiException.forbidden(
                    "enroll_key_exhausted",
                    "enrollment key " + key.id() + " has been used all " + key.maxUses() + " times it may be");
        }
        if (key.hourFull(now)) {
            return new PkiException(
                    PkiException.Kind.RATE_LIMITED,
                    "enroll_key_rate_limited",
                    "enrollment key " + key.id() + " has been used " + key.perHour() + " times this hour; retry after "
                            + key.windowStart().plus(EnrollKey.WINDOW));
        }
        return null;
    }

    private PkiException refused(String source, PkiException e) {
        refusals.refused(source, USE_ACTION, e.code());
        return e;
    }

    private static PkiException invalid() {
        return PkiException.unauthorized("enroll_key_invalid", "the bearer value is not a valid enrollment key");
    }
}
