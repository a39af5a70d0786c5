package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Install tokens made by the admin, as an operator would. */
final class Tokens {
    private Tokens() {}

    static String create(
            Api admin, String service, List<String> dns, String profile, int maxValidityDays, int ttlSeconds) {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/install-tokens",
                Map.of(
                        "service",
                        service,
                        "allowed_dns",
                        dns,
                        "allowed_ips",
                        List.of(),
                        "profile",
                        profile,
                        "ttl_seconds",
                        ttlSeconds,
                        "max_validity_days",
                        maxValidityDays));
        assertEquals(201, r.statusCode(), r.body());
        return (String) Api.parse(r).get("token");
    }

    static String create(Api admin, String service, String name) {
        return create(admin, service, List.of(name), "tls-server-client", 30, 3600);
    }
}
