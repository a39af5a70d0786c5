package dev.hsmca.appliance.registry;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.CertificateView;
import dev.hsmca.appliance.domain.Grant;
import dev.hsmca.appliance.domain.HolderGrant;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.ServiceRecord;
import dev.hsmca.appliance.store.ServiceRepository;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The service registry: services register themselves (mTLS) or are registered by an admin. */
@Singleton
public class Registry {
    static final int MAX_ENDPOINTS = 50;
    static final int MAX_METADATA = 50;
    static final int MAX_METADATA_CHARS = 16_000;
    static final int MAX_DEPTH = 8;
    /** Endpoints a service may list: HTTP(S), and WebSockets (the notes' ws:// and wss://). */
    private static final Set<String> SCHEMES = Set.of("http", "https", "ws", "wss");

    private final ServiceRepository services;
    private final CertificateRepository certificates;
    private final AuditLog audit;
    private final JsonMapper json;
    private final Clock clock;

    public Registry(
            ServiceRepository services,
            CertificateRepository certificates,
            AuditLog audit,
            JsonMapper json,
            Clock clock) {
        this.services = services;
        this.certificates = certificates;
        this.audit = audit;
        this.json = json;
        this.clock = clock;
    }

    @Transactional
    public ServiceView register(RegisterServiceRequest r, Grant grant) {
        String service = ServiceId.require(r.service());
        if (grant instanceof HolderGrant holder && !holder.owns(service)) {
            throw PkiException.forbidden(
                    "not_your_service",
                    "a certificate of service " + holder.service() + " cannot register service " + service);
        }
        if (r.displayName() != null
                && r.serviceName() != null
                && !r.displayName().equals(r.serviceName())) {
            throw PkiException.malformed("invalid_display_name", "display_name and service_name differ; give one");
        }
        String given = r.displayName() != null ? r.displayName() : r.serviceName();
        String displayName = given == null || given.isBlank() ? service : given.trim();
        if (displayName.length() > 200) {
            throw PkiException.malformed("invalid_display_name", "display_name is longer than 200 characters");
        }
        List<String> endpoints = r.endpoints() == null ? List.of() : r.endpoints();
        if (endpoints.size() > MAX_ENDPOINTS) {
            throw PkiException.malformed("invalid_endpoints", "at most " + MAX_ENDPOINTS + " endpoints");
        }
        endpoints.forEach(e -> url(e, "invalid_endpoints", "endpoint"));
        if (r.healthCheckUrl() != null) {
            url(r.healthCheckUrl(), "invalid_health_check_url", "health_check_url");
        }
        Map<String, Object> metadata = r.metadata() == null ? Map.of() : r.metadata();
        String metadataJson = write(metadata);
        if (metadata.size() > MAX_METADATA
                || metadataJson.length() > MAX_METADATA_CHARS
                || depth(metadata) > MAX_DEPTH) {
            throw PkiException.malformed(
                    "invalid_metadata",
                    "metadata: a JSON object of at most " + MAX_METADATA + " keys, " + MAX_DEPTH + " levels deep and "
                            + MAX_METADATA_CHARS + " characters");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        var existing = services.findById(service);
        ServiceRecord record = new ServiceRecord(
                service,
                displayName,
                write(endpoints),
                r.healthCheckUrl(),
                metadataJson,
                existing.map(ServiceRecord::createdAt).orElse(now),
                now,
                null,
                existing.map(ServiceRecord::lastSeenAt).orElse(null));
        if (existing.isPresent()) {
            services.update(record);
        } else {
            services.save(record);
        }
        audit.record(
                grant.actor(),
                "service.register",
                "service:" + service,
                AuditLog.OK,
                (existing.isPresent() ? "updated" : "created") + " endpoints=" + endpoints.size());
        return view(record);
    }

    public ServiceView get(String service, Grant grant) {
        ServiceId.require(service);
        if (grant instanceof HolderGrant holder && !holder.owns(service)) {
            throw PkiException.forbidden(
                    "not_your_service",
                    "a certificate of service " + holder.service() + " cannot read service " + service);
        }
        return services.findById(service)
                .map(this::view)
                .orElseThrow(() -> PkiException.notFound("service_not_found", "no service " + service));
    }

    /** On one connection: a view reads the service's current certificate and last renewal. */
    @Transactional(readOnly = true)
    public List<ServiceView> list() {
        return services.list(1000).stream().map(this::view).toList();
    }

    /**
     * Services that have gone quiet: a valid certificate, but neither seen (fetching it) nor issued or renewed one
     * for {@code quietAfter}; at most {@code limit}, by name.
     */
    public List<ServiceRecord> quiet(Duration quietAfter, int limit) {
        Instant now = clock.instant();
        return services.quiet(now.minus(quietAfter), now, limit);
    }

    private ServiceView view(ServiceRecord s) {
        Instant now = clock.instant();
        var current = certificates
                .current(s.service(), now)
                .map(c -> CertificateView.of(c, now))
                .orElse(null);
        Instant lastRenewal = certificates.lastRenewal(s.service()).orElse(null);
        return new ServiceView(
                s.service(),
                s.displayName(),
                read(s.endpoints(), Argument.listOf(String.class)),
                s.healthCheckUrl(),
                read(s.metadata(), Argument.mapOf(String.class, Object.class)),
                s.createdAt().toString(),
                s.updatedAt().toString(),
                current,
                current == null ? null : current.daysUntilExpiry(),
                lastRenewal == null ? null : lastRenewal.toString(),
                s.lastSeenAt() == null ? null : s.lastSeenAt().toString());
    }

    private static void url(String value, String code, String what) {
        try {
            URI uri = new URI(value);
            if (value.length() > 2048 || uri.getHost() == null || !SCHEMES.contains(uri.getScheme())) {
                throw new IllegalArgumentException();
            }
        } catch (Exception e) {
            throw PkiException.malformed(
                    code, what + " '" + Names.printable(value) + "' is not an http(s) or ws(s) URL with a host");
        }
    }

    /** How deep a JSON value nests: 1 for an object of plain values. */
    static int depth(Object value) {
        if (value instanceof Map<?, ?> m) {
            return 1 + m.values().stream().mapToInt(Registry::depth).max().orElse(0);
        }
        if (value instanceof Collection<?> c) {
            return 1 + c.stream().mapToInt(Registry::depth).max().orElse(0);
        }
        return 0;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String text, Argument<T> type) {
        try {
            return json.readValue(text, type);
        } catch (IOException e) {
            throw new IllegalStateException("stored service JSON is unreadable", e);
        }
    }
}
