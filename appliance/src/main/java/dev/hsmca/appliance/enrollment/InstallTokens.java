package dev.hsmca.appliance.enrollment;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.Delegation;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.Profile;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.domain.TokenGrant;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.policy.PolicyAuthority;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.InstallToken;
import dev.hsmca.appliance.store.InstallTokenRepository;
import dev.hsmca.appliance.store.TokenState;
import io.micronaut.transaction.TransactionDefinition;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One-time install tokens: {@code hct_<id>_<secret>}. The id finds the row; the secret is compared, as a
 * SHA-256, in constant time. Consumption is one conditional UPDATE, so a token is used at most once however
 * many requests race for it.
 */
@Singleton
public class InstallTokens {
    private static final Pattern TOKEN = Pattern.compile("^hct_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$");
    private static final SecureRandom RANDOM = new SecureRandom();
    static final long MIN_TTL = 60;
    static final long MAX_TTL = Duration.ofDays(30).toSeconds();
    static final int MAX_NAMES = 100;

    private final InstallTokenRepository repository;
    private final Profiles profiles;
    private final AuditLog audit;
    private final PkiMetrics metrics;
    private final PolicyAuthority policy;
    private final Clock clock;

    public InstallTokens(
            InstallTokenRepository repository,
            Profiles profiles,
            AuditLog audit,
            PkiMetrics metrics,
            PolicyAuthority policy,
            Clock clock) {
        this.repository = repository;
        this.profiles = profiles;
        this.audit = audit;
        this.metrics = metrics;
        this.policy = policy;
        this.clock = clock;
    }

    public record Created(String token, InstallToken record) {}

    @Transactional
    public Created create(CreateTokenRequest request, Operator operator) {
        String service = ServiceId.requireGrantable(serviceOf(request));
        ServiceType type = ServiceType.parse(request.serviceType());
        Profile profile =
                profiles.requestable(request.profile() != null || type == null ? request.profile() : type.profile);
        String label = label(request);
        List<String> dns = canonical(request.allowedDns(), NameKind.DNS);
        List<String> ips = canonical(request.allowedIps(), NameKind.IP);
        List<String> cns = canonical(
                request.allowedCn() == null && type == ServiceType.AGENT && dns.isEmpty() && ips.isEmpty()
                        ? List.of("agent-" + service)
                        : request.allowedCn(),
                NameKind.CLIENT);
        List<String> uris = canonical(request.allowedUris(), NameKind.URI);
        policy.requireDelegated(operator, Delegation.Kind.INSTALL_TOKEN, service, dns, ips, cns, uris);
        policy.requireGrantable(
                Entitlement.Source.INSTALL_TOKEN,
                Stream.of(dns, ips, cns).flatMap(List::stream).toList());
        if (dns.isEmpty() && ips.isEmpty() && profile.requireSan()) {
            throw PkiException.malformed("no_names", "profile " + profile.name() + " needs allowed_dns or allowed_ips");
        }
        if (String.join(",", dns).length() > 8192
                || String.join(",", ips).length() > 2048
                || String.join(",", cns).length() > 1024
                || String.join(",", uris).length() > 4096) {
            throw PkiException.malformed(
                    "too_many_names",
                    "the allowed names are too long to keep (DNS 8192, IP 2048, "
                            + "client names 1024, URIs 4096 characters)");
        }
        if (dns.isEmpty() && ips.isEmpty() && cns.isEmpty() && uris.isEmpty()) {
            throw PkiException.malformed(
                    "no_names",
                    "a token must allow at least one name: allowed_dns, allowed_ips, " + "allowed_cn or allowed_uris");
        }
        long ttl = request.ttlSeconds() == null ? 3600 : request.ttlSeconds();
        if (ttl < MIN_TTL || ttl > MAX_TTL) {
            throw PkiException.malformed("invalid_ttl", "ttl_seconds must be between " + MIN_TTL + " and " + MAX_TTL);
        }
        int maxDays = request.maxValidityDays() == null ? profile.maxValidityDays() : request.maxValidityDays();
        if (maxDays < 1 || maxDays > profile.maxValidityDays()) {
            throw PkiException.malformed(
                    "invalid_validity",
                    "max_validity_days must be 1 to " + profile.maxValidityDays() + " for profile " + profile.name());
        }
        byte[] idBytes = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(idBytes);
        RANDOM.nextBytes(secret);
        String id = HexFormat.of().formatHex(idBytes);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        InstallToken record = repository.save(new InstallToken(
                id,
                sha256(secretText),
                service,
                String.join(",", dns),
                String.join(",", ips),
                profile.name(),
                maxDays,
                now.plusSeconds(ttl),
                now,
                operator.actor(),
                null,
                null,
                null,
                cns.isEmpty() ? null : String.join(",", cns),
                uris.isEmpty() ? null : String.join(",", uris),
                label));
        audit.record(
                operator.actor(),
                "token.create",
                "token:" + id,
                AuditLog.OK,
                "service=" + service + " profile=" + profile.name() + " dns=" + dns + " ips=" + ips
                        + (cns.isEmpty() ? "" : " cn=" + cns) + (uris.isEmpty() ? "" : " uris=" + uris)
                        + " max_validity_days=" + maxDays + " ttl=" + ttl + (label == null ? "" : " label=" + label));
        return new Created("hct_" + id + "_" + secretText, record);
    }

    /** The integration notes' kinds of service, each a profile. */
    enum ServiceType {
        AGENT("tls-client"),
        CONTROLLER("tls-server-client");

        final String profile;

        ServiceType(String profile) {
            this.profile = profile;
        }

        static ServiceType parse(String text) {
            if (text == null) {
                return null;
            }
            return switch (text) {
                case "agent" -> AGENT;
                case "controller" -> CONTROLLER;
                default ->
                    throw PkiException.malformed(
                            "invalid_service_type",
                            "service_type must be agent or controller, not '" + Names.printable(text) + "'");
            };
        }
    }

    private static String serviceOf(CreateTokenRequest r) {
        if (r.service() != null && r.serviceName() != null && !r.service().equals(r.serviceName())) {
            throw PkiException.malformed("invalid_service", "service and service_name differ; give one");
        }
        return r.service() != null ? r.service() : r.serviceName();
    }

    private static String label(CreateTokenRequest r) {
        if (r.label() != null && r.controllerName() != null && !r.label().equals(r.controllerName())) {
            throw PkiException.malformed("invalid_label", "label and controller_name differ; give one");
        }
        String label = r.label() != null ? r.label() : r.controllerName();
        if (label != null
                && (label.isBlank() || label.length() > 128 || !label.chars().allMatch(c -> c >= 0x20 && c < 0x7f))) {
            throw PkiException.malformed(
                    "invalid_label", "label (controller_name) must be 1 to 128 printable characters");
        }
        return label;
    }

    /** The token a bearer presents, if it is genuine and still usable; 401 with the reason otherwise. */
    public InstallToken authenticate(String bearer) {
        Matcher m = bearer == null ? null : TOKEN.matcher(bearer.trim());
        if (m == null || !m.matches()) {
            throw invalid();
        }
        InstallToken token = repository.findById(m.group(1)).orElse(null);
        byte[] presented = sha256(m.group(2)).getBytes(StandardCharsets.US_ASCII);
        byte[] expected = (token == null ? "0".repeat(64) : token.secretHash()).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(presented, expected) || token == null) {
            throw invalid();
        }
        refuseUnusable(token);
        return token;
    }

    /**
     * Marks the token used inside the caller's transaction, or throws if another request got there first. Not
     * {@code @Transactional}: that advice would mark a shared transaction (a {@code GroupCommit} batch) rollback-only
     * when it throws, failing the other requests of the batch; the conditional update is what keeps it single-use.
     */
    public void consume(InstallToken token) {
        if (repository.consume(token.id(), clock.instant()) != 1) {
            metrics.tokenUsed("token_used");
            refuseUnusable(repository.findById(token.id()).orElse(token));
            throw PkiException.unauthorized("token_used", "this install token has already been used");
        }
        metrics.tokenUsed("success");
    }

    @Transactional(propagation = TransactionDefinition.Propagation.MANDATORY)
    public void recordSerial(InstallToken token, String serial) {
        repository.recordSerial(token.id(), serial);
    }

    /** The token's part of an issuance's write: consumed before the certificate is stored, linked to it after. */
    public IssuanceCommand.Claim claim(TokenGrant grant) {
        InstallToken token = grant.token();
        return new IssuanceCommand.Claim() {
            @Override
            public void before(String serial) {
                consume(token);
            }

            @Override
            public void after(CertificateRecord stored) {
                recordSerial(token, stored.serial());
                audit.record(
                        grant.actor(), "token.use", "token:" + token.id(), AuditLog.OK, "serial=" + stored.serial());
            }
        };
    }

    public List<InstallToken> list(String service, String state, int limit) {
        String s = state == null
                ? ""
                : TokenState.parse(state)
                        .map(TokenState::text)
                        .orElseThrow(() -> PkiException.malformed(
                                "invalid_state", "state must be one of unused, used, expired, revoked"));
        return repository.list(service == null ? "" : ServiceId.require(service), s, clock.instant(), limit);
    }

    @Transactional
    public InstallToken revoke(String id, AdminGrant admin) {
        InstallToken token = repository
                .findById(id)
                .orElseThrow(() -> PkiException.notFound("token_not_found", "no install token " + id));
        if (repository.revoke(id, clock.instant()) != 1) {
            throw PkiException.conflict(
                    "token_not_revocable",
                    "install token " + id + " is "
                            + token.state(clock.instant()).text() + " and cannot be revoked");
        }
        audit.record(admin.actor(), "token.revoke", "token:" + id, AuditLog.OK, "service=" + token.service());
        return repository.findById(id).orElseThrow();
    }

    private void refuseUnusable(InstallToken token) {
        if (token.revokedAt() != null) {
            throw PkiException.unauthorized("token_invalid", "this install token was revoked");
        }
        if (token.usedAt() != null) {
            throw PkiException.unauthorized("token_used", "this install token has already been used");
        }
        if (!token.expiresAt().isAfter(clock.instant())) {
            throw PkiException.unauthorized("token_expired", "this install token expired at " + token.expiresAt());
        }
    }

    private static PkiException invalid() {
        return PkiException.unauthorized("token_invalid", "the bearer token is not a valid install token");
    }

    enum NameKind {
        DNS("DNS name (or *.domain)"),
        IP("IP address"),
        CLIENT("client name (letters, digits, . _ : @ -)"),
        URI("absolute URI without commas");

        private final String description;

        NameKind(String description) {
            this.description = description;
        }

        String canonical(String name) {
            return switch (this) {
                case DNS -> Names.dnsName(name);
                case IP -> Names.ipAddress(name);
                case CLIENT -> Names.clientName(name);
                case URI -> Names.uri(name);
            };
        }
    }

    static List<String> canonical(List<String> names, NameKind kind) {
        if (names == null) {
            return List.of();
        }
        if (names.size() > MAX_NAMES) {
            throw PkiException.malformed("too_many_names", "at most " + MAX_NAMES + " names");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String n : names) {
            String c = kind.canonical(n);
            if (c == null) {
                throw PkiException.malformed(
                        "invalid_san", "'" + Names.printable(n) + "' is not a valid " + kind.description);
            }
            out.add(c);
        }
        return new ArrayList<>(out);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
