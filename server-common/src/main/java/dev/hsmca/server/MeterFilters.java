package dev.hsmca.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Drops the standard meters whose names break Prometheus conventions (promtool flags "_ns" and "_count"). */
@Factory
public class MeterFilters {
    @Singleton
    MeterFilter noNanosecondCounter() {
        return MeterFilter.deny(id ->
                id.getName().startsWith("process.cpu.time") || id.getName().equals("system.cpu.count"));
    }

    /** Every series gets HELP text (promtool wants it); framework meters without a description get their name. */
    @Singleton
    MeterFilter helpText() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank()) {
                    return id;
                }
                return new Meter.Id(
                        id.getName(),
                        Tags.of(id.getTags()),
                        id.getBaseUnit(),
                        id.getName().replace('.', ' '),
                        id.getType());
            }
        };
    }
}
