package dev.hsmca.appliance.registry;

import dev.hsmca.appliance.domain.ServiceId;
import dev.hsmca.appliance.store.ServiceRecord;
import dev.hsmca.appliance.store.ServiceRepository;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records when a service was last seen: a holder of one of its certificates polled its renewal window. Writes are
 * coalesced (at most one a minute per service; agents poll often) and a service seen for the first time gets a
 * registry entry of its own, so {@code service list} and the quiet-service alert know every service that polls.
 * A failed write loses one sighting, never the poll's answer.
 */
@Singleton
public class LastSeen {
    static final Duration COALESCE = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LastSeen.class);

    private final ServiceRepository services;
    private final Clock clock;
    private final Map<String, Instant> written = new ConcurrentHashMap<>();

    public LastSeen(ServiceRepository services, Clock clock) {
        this.services = services;
        this.clock = clock;
    }

    public void seen(String service) {
        if (service == null || ServiceId.RESERVED.contains(service)) {
            return; // the appliance's own credentials are no service to watch
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant last = written.get(service);
        if (last != null && Duration.between(last, now).compareTo(COALESCE) < 0) {
            return;
        }
        written.put(service, now);
        try {
            if (services.seen(service, now) == 0 && services.findById(service).isEmpty()) {
                services.save(new ServiceRecord(service, service, "[]", null, "{}", now, now, null, now));
            }
        } catch (RuntimeException e) {
            written.remove(service);
            LOG.warn("could not record that service {} was seen: {}", service, e.toString());
        }
    }
}
