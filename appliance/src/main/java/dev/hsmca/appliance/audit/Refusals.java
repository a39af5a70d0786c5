package dev.hsmca.appliance.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Refused logins (a bad install token or enrollment key, a revoked, expired or used-up enrollment key, no or a revoked/expired/unknown client certificate, the wrong profile), which
 * anyone can send: each is counted at once ({@code pki_auth_refusals_total{reason}}) and kept in memory only; every
 * window ({@code pki.audit.refusal-window}, a minute) {@link #flush()} writes one audit entry per source with its
 * counts by action and reason. So an anonymous flood writes at most {@code pki.audit.refusal-sources} + 1 rows a
 * window, and holds no more than that many sources in memory: the sources past the cap share one entry, "other".
 */
@Singleton
public class Refusals {
    public static final String ACTION = "auth.refused";
    static final String OTHER = "other";
    /** The reasons the authorizer gives, counted from 0 at start (so rates and alerts see them before the first). */
    static final List<String> KNOWN_REASONS = List.of(
            "client_certificate_required",
            "unknown_client_certificate",
            "certificate_revoked",
            "certificate_expired",
            "not_admin",
            "not_monitoring",
            "token_invalid",
            "token_used",
            "token_expired",
            "enroll_key_invalid",
            "enroll_key_revoked",
            "enroll_key_expired",
            "enroll_key_exhausted",
            "enroll_key_rate_limited");

    /** Where an aggregated entry goes: the audit log (a fake in tests). */
    interface Sink {
        void write(String source, String details);
    }

    private record Key(String action, String reason) {
        @Override
        public String toString() {
            return action + " " + reason;
        }
    }

    private static final Comparator<Key> KEY_ORDER =
            Comparator.comparing(Key::action).thenComparing(Key::reason);

    /** One window's counts, by source, then by action and reason. */
    private static final class Window {
        final Instant start;
        final Map<String, Map<Key, Long>> bySource = new LinkedHashMap<>();
        long folded; // refusals from sources past the cap

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Sink sink;
    private final int maxSources;
    private final MeterRegistry registry;
    private final Clock clock;
    private Window window; // guarded by this

    @Inject
    public Refusals(AuditLog audit, AuditConfig config, MeterRegistry registry, Clock clock) {
        this(
                (source, details) -> audit.recordAlone(source, ACTION, "refusals", AuditLog.DENIED, details),
                config.refusalSources(),
                registry,
                clock);
    }

    Refusals(Sink sink, int maxSources, MeterRegistry registry, Clock clock) {
        this.sink = sink;
        this.maxSources = maxSources;
        this.registry = registry;
        this.clock = clock;
        this.window = new Window(now());
        KNOWN_REASONS.forEach(this::counter);
    }

    /**
     * A refused request from {@code source} (who and from where, e.g. {@code anonymous@192.0.2.7}): counted now,
     * written with the others from that source at the next {@link #flush()}.
     */
    public void refused(String source, String action, String reason) {
        counter(reason).increment();
        Key key = new Key(action, reason);
        synchronized (this) {
            Map<Key, Long> counts = window.bySource.get(source);
            if (counts == null && window.bySource.size() >= maxSources) {
                window.folded++;
                counts = window.bySource.computeIfAbsent(OTHER, s -> new TreeMap<>(KEY_ORDER));
            } else if (counts == null) {
                counts = new TreeMap<>(KEY_ORDER);
                window.bySource.put(source, counts);
            }
            counts.merge(key, 1L, Long::sum);
        }
    }

    /** Writes the window's entries (one per source) and starts the next; how many entries it wrote. */
    public int flush() {
        Window done;
        synchronized (this) {
            if (window.bySource.isEmpty()) {
                return 0;
            }
            done = window;
            window = new Window(now());
        }
        Instant end = now();
        for (Map.Entry<String, Map<Key, Long>> e : done.bySource.entrySet()) {
            String counts = e.getValue().entrySet().stream()
                    .map(c -> c.getKey() + "=" + c.getValue())
                    .collect(Collectors.joining(", "));
            String folded = OTHER.equals(e.getKey()) && done.folded > 0
                    ? "; " + done.folded + " of them from sources past the first " + maxSources
                    : "";
            sink.write(e.getKey(), counts + folded + " (" + done.start + " to " + end + ")");
        }
        return done.bySource.size();
    }

    private Counter counter(String reason) {
        return Counter.builder("pki.auth.refusals")
                .tag("reason", reason)
                .description("Refused logins (install token or client certificate) by reason")
                .register(registry);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
