package dev.hsmca.appliance.registry;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/services} body. {@code service_name} (the integration notes' name) is the display name;
 * metadata is any JSON object (nested values too).
 */
@Serdeable
public record RegisterServiceRequest(
        @Nullable String service,
        @Nullable @JsonProperty("display_name") String displayName,
        @Nullable List<String> endpoints,
        @Nullable @JsonProperty("health_check_url") String healthCheckUrl,
        @Nullable Map<String, Object> metadata,
        @Nullable @JsonProperty("service_name") String serviceName) {}
