package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.core.CaRole;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Public CA information: {@code GET /api/v1/ca/chain} (issuing CA then root, PEM) and
 * {@code GET /api/v1/ca/certificates} (each active CA-side certificate with its expiry).
 */
@Controller("/api/v1/ca")
public class ChainController {
    static final String PEM_CHAIN = "application/pem-certificate-chain";

    private final CaHierarchy ca;
    private final Clock clock;

    public ChainController(CaHierarchy ca, Clock clock) {
        this.ca = ca;
        this.clock = clock;
    }

    @Get(value = "/certificates", produces = MediaType.APPLICATION_JSON)
    public Map<String, List<CaCertificateView>> certificates() {
        var now = clock.instant();
        List<CaCertificateView> views = Arrays.stream(CaRole.values())
                .map(ca::member)
                .map(m -> new CaCertificateView(
                        m.record().role().alias(),
                        m.id(),
                        m.record().subjectDn(),
                        m.record().serial(),
                        m.record().keyAlgorithm(),
                        m.record().notAfter().toString(),
                        Duration.between(now, m.record().notAfter()).toDays()))
                .toList();
        return Map.of("certificates", views);
    }

    @Get(value = "/chain", produces = PEM_CHAIN)
    public HttpResponse<String> chain() {
        return HttpResponse.ok(ca.chainPem()).header("Cache-Control", "public, max-age=3600");
    }

    /** {@code GET /api/ca/bundle}: the same chain, at the path the seed integrations use. */
    @Controller("/api/ca")
    public static class Bundle {
        private final ChainController chain;

        public Bundle(ChainController chain) {
            this.chain = chain;
        }

        @Get(value = "/bundle", produces = PEM_CHAIN)
        public HttpResponse<String> bundle() {
            return chain.chain();
        }
    }
}
