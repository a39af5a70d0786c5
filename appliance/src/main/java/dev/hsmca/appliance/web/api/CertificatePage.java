package dev.hsmca.appliance.web.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hsmca.appliance.domain.CertificateView;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

@Serdeable
public record CertificatePage(
        List<CertificateView> certificates,
        @Nullable @JsonProperty("next_cursor") String nextCursor) {}
