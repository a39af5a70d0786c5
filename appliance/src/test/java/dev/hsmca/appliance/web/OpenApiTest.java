package dev.hsmca.appliance.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.web.router.Router;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI document served at /api/v1/openapi.yml against the running server: every route the router knows is
 * documented, every documented operation answers (anything but 404/405 for an anonymous caller).
 */
@MicronautTest(transactional = false)
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class OpenApiTest implements TestPropertyProvider {
    static final TestAppliance APP = TestAppliance.h2().initialize();

    @Inject
    EmbeddedServer server;

    @Inject
    Router router;

    @Override
    public Map<String, String> getProperties() {
        return APP.properties();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDocumentMatchesTheRoutes() {
        Api anonymous = new Api(APP.anonymousSsl(), server.getPort());
        HttpResponse<String> r = anonymous.get("/api/v1/openapi.yml");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
        Map<String, Object> doc = new Yaml().load(r.body());
        assertTrue(String.valueOf(doc.get("openapi")).startsWith("3."), "OpenAPI 3");
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");

        Set<String> documented = new TreeSet<>();
        paths.forEach((path, ops) ->
                ops.keySet().forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path)));
        Set<String> routed = router.uriRoutes()
                .map(route -> route.getHttpMethodName() + " "
                        + route.getUriMatchTemplate().toPathString())
                .filter(s -> !s.startsWith("HEAD "))
                .filter(s -> !s.contains(" /ui")) // the console: pages for people, not the API
                .collect(Collectors.toCollection(TreeSet::new));
        assertFalse(routed.isEmpty());
        assertEquals(routed, documented, "every route documented, nothing documented that is not routed");

        for (String op : documented) {
            String method = op.substring(0, op.indexOf(' '));
            String path = op.substring(op.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "x");
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://localhost:" + server.getPort() + path));
            b = method.equals("GET")
                    ? b.GET()
                    : b.header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString("{}"));
            int status = anonymous.send(b.build()).statusCode();
            assertTrue(status != 404 && status != 405, op + " answered " + status);
        }
    }
}
