package dev.hsmca.appliance.web;

import dev.hsmca.appliance.audit.Refusals;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.domain.Profiles;
import dev.hsmca.appliance.domain.TokenGrant;
import dev.hsmca.appliance.domain.WorkloadGrant;
import dev.hsmca.appliance.enrollment.EnrollmentKeys;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.issuance.Certificates;
import dev.hsmca.appliance.oidc.OidcAuthenticator;
import dev.hsmca.appliance.oidc.WorkloadTokens;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.core.CertificateStatus;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns the caller's credentials into a {@link Grant}. The TLS layer has already checked that a client
 * certificate chains to this CA; here it must also be the very certificate the store holds, unrevoked and
 * unexpired. Refusals are counted and audited aggregated, one entry per source a minute ({@link Refusals}): anyone
 * can send them, so none writes a row of its own.
 */
@Singleton
public class Authorizer {
    static final String ADMIN_PROFILE = Profiles.ADMIN;
    static final String MONITORING_PROFILE = Profiles.MONITORING;

    private final Certificates certificates;
    private final InstallTokens tokens;
    private final EnrollmentKeys enrollKeys;
    private final OidcAuthenticator oidc;
    private final WorkloadTokens workloads;
    private final Refusals refusals;
    private final PkiMetrics metrics;
    private final Clock clock;

    public Authorizer(
            Certificates certificates,
            InstallTokens tokens,
            EnrollmentKeys enrollKeys,
            OidcAuthenticator oidc,
            WorkloadTokens workloads,
            Refusals refusals,
            PkiMetrics metrics,
            Clock clock) {
        this.certificates = certificates;
        this.tokens = tokens;
        this.enrollKeys = enrollKeys;
        this.oidc = oidc;
        this.workloads = workloads;
        this.refusals = refusals;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * For issuance: a one-time install token, a reusable enrollment key ({@code hek_}) or a workload token (a JWT of
     * a workload issuer), each as Authorization: Bearer; or the administrator.
     */
    public Grant issuer(HttpRequest<?> request) {
        Optional<String> authorization = request.getHeaders().getAuthorization();
        if (authorization.isPresent()) {
            String value = authorization.get();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7) && EnrollmentKeys.looksLikeKey(value.substring(7))) {
                return enrollKeys.authenticate(value.substring(7), host(request)); // refusals counted there
            }
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)
                    && OidcAuthenticator.looksLikeJwt(value.substring(7).trim())) {
                return workload(request, value.substring(7).trim());
            }
            try {
                if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    throw PkiException.unauthorized("token_invalid", "Authorization must be 'Bearer <install token>'");
                }
                return new TokenGrant(tokens.authenticate(value.substring(7)));
            } catch (PkiException e) {
                metrics.tokenUsed(e.code());
                refusals.refused(source(request, "anonymous"), "token.use", e.code());
                throw e;
            }
        }
        return admin(request);
    }

    /** The administrator: its client certificate, or a bearer JWT an OIDC {@code admin} rule maps. */
    public AdminGrant admin(HttpRequest<?> request) {
        Optional<String> jwt = bearerJwt(request);
        if (jwt.isPresent()) {
            Operator operator = oidc(request, jwt.get());
            if (!operator.admin()) {
                throw deny(
                        request,
                        "admin.login",
                        operator.actor(),
                        PkiException.forbidden("not_allowed", "this endpoint is for administrators"));
            }
            return new AdminGrant(operator.actor());
        }
        return tlsAdmin(request);
    }

    /**
     * Who may create install tokens and enrollment keys: the administrator, or an OIDC identity with delegations
     * (the policy authority decides whether what it asks for is inside them).
     */
    public Operator operator(HttpRequest<?> request) {
        Optional<String> jwt = bearerJwt(request);
        return jwt.isPresent() ? oidc(request, jwt.get()) : Operator.of(tlsAdmin(request));
    }

    private Optional<String> bearerJwt(HttpRequest<?> request) {
        return request.getHeaders()
                .getAuthorization()
                .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(v -> v.substring(7).trim())
                .filter(OidcAuthenticator::looksLikeJwt);
    }

    private Operator oidc(HttpRequest<?> request, String jwt) {
        return anonymousRefusalsCounted(request, "oidc.login", () -> {
            if (!oidc.enabled()) {
                throw PkiException.unauthorized("oidc_not_configured", "this appliance trusts no OIDC issuer");
            }
            return oidc.authenticate(jwt);
        });
    }

    private WorkloadGrant workload(HttpRequest<?> request, String jwt) {
        return anonymousRefusalsCounted(request, "workload.use", () -> {
            if (!workloads.enabled()) {
                throw PkiException.unauthorized("workload_not_configured", "this appliance trusts no workload issuer");
            }
            return workloads.authenticate(jwt);
        });
    }

    /** A bearer credential's refusal counted against its source (not an issuer outage: that is ours, not theirs). */
    private <T> T anonymousRefusalsCounted(HttpRequest<?> request, String action, Supplier<T> step) {
        try {
            return step.get();
        } catch (PkiException e) {
            if (e.kind() != PkiException.Kind.UNAVAILABLE) {
                refusals.refused(source(request, "anonymous"), action, e.code());
            }
            throw e;
        }
    }

    private AdminGrant tlsAdmin(HttpRequest<?> request) {
        CertificateRecord record = clientCertificate(request, "admin.login");
        if (!ADMIN_PROFILE.equals(record.profile())) {
            throw deny(
                    request,
                    "admin.login",
                    "holder:" + record.serial(),
                    PkiException.forbidden("not_admin", "this endpoint is for administrators"));
        }
        return AdminGrant.tls(record.serial());
    }

    /** Metrics readers: the administrator or a {@code monitoring} credential. */
    public void monitor(HttpRequest<?> request) {
        CertificateRecord record = clientCertificate(request, "metrics.read");
        if (!ADMIN_PROFILE.equals(record.profile()) && !MONITORING_PROFILE.equals(record.profile())) {
            throw deny(
                    request,
                    "metrics.read",
                    "holder:" + record.serial(),
                    PkiException.forbidden("not_monitoring", "metrics are for the admin or a monitoring credential"));
        }
    }

    /** The administrator, or the holder of a certificate of this CA acting for its own service. */
    public Grant adminOrHolder(HttpRequest<?> request) {
        CertificateRecord record = clientCertificate(request, "holder.login");
        return ADMIN_PROFILE.equals(record.profile()) ? AdminGrant.tls(record.serial()) : new HolderGrant(record);
    }

    /** Whoever presents a valid client certificate of this CA (any profile): for reading about that certificate. */
    public CertificateRecord presented(HttpRequest<?> request) {
        return clientCertificate(request, "holder.login");
    }

    public HolderGrant holder(HttpRequest<?> request) {
        CertificateRecord record = clientCertificate(request, "holder.login");
        if (ADMIN_PROFILE.equals(record.profile()) || MONITORING_PROFILE.equals(record.profile())) {
            throw PkiException.forbidden(
                    "not_a_service", "the " + record.profile() + " credential does not belong to a service");
        }
        return new HolderGrant(record);
    }

    private CertificateRecord clientCertificate(HttpRequest<?> request, String action) {
        Optional<X509Certificate> client = request.getCertificate()
                .filter(X509Certificate.class::isInstance)
                .map(X509Certificate.class::cast);
        if (client.isEmpty()) {
            throw deny(
                    request,
                    action,
                    "anonymous",
                    PkiException.unauthorized(
                            "client_certificate_required",
                            "this endpoint needs a client certificate (mTLS) issued by this CA"));
        }
        X509Certificate cert = client.get();
        String serial = cert.getSerialNumber().toString(16);
        String actor = "tls:" + serial;
        CertificateRecord record = certificates
                .find(serial)
                .filter(r -> sameCertificate(r, cert))
                .orElseThrow(() -> deny(
                        request,
                        action,
                        actor,
                        PkiException.forbidden(
                                "unknown_client_certificate", "the client certificate is not one this CA issued")));
        if (record.status() == CertificateStatus.REVOKED) {
            throw deny(
                    request,
                    action,
                    actor,
                    PkiException.forbidden(
                            "certificate_revoked",
                            "the client certificate is revoked (" + record.revocationReason() + ")"));
        }
        if (!record.notAfter().isAfter(clock.instant())) {
            throw deny(
                    request,
                    action,
                    actor,
                    PkiException.forbidden(
                            "certificate_expired",
                            "the client certificate expired at " + record.notAfter()
                                    + "; it cannot renew: enroll again with a new install token"));
        }
        return record;
    }

    /** A sign-in refused outside this class (the console's OIDC callback), counted like the API's. */
    public PkiException refused(HttpRequest<?> request, String action, PkiException e) {
        return deny(request, action, "anonymous", e);
    }

    private PkiException deny(HttpRequest<?> request, String action, String actor, PkiException e) {
        refusals.refused(source(request, actor), action, e.code());
        return e;
    }

    /** Who (as far as known) and from where: {@code anonymous@192.0.2.7}, {@code tls:1a2b@192.0.2.7}. */
    static String source(HttpRequest<?> request, String actor) {
        return actor + "@" + host(request);
    }

    private static String host(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null || remote.getAddress() == null
                ? "unknown"
                : remote.getAddress().getHostAddress();
    }

    private static boolean sameCertificate(CertificateRecord record, X509Certificate client) {
        try {
            return MessageDigest.isEqual(record.certificateDer(), client.getEncoded());
        } catch (CertificateEncodingException e) {
            return false;
        }
    }
}
