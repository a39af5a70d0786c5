package dev.hsmca.appliance.web.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/openapi.yml} (public): the OpenAPI 3 document micronaut-openapi generated from these
 * controllers at build time, so it cannot drift from the routes.
 */
@Controller("/api/v1/openapi.yml")
public class OpenApiController {
    static final String RESOURCE = "/META-INF/swagger/hsmca-appliance.yml";
    private final String document;

    public OpenApiController() {
        try (InputStream in = OpenApiController.class.getResourceAsStream(RESOURCE)) {
            document = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(produces = "application/yaml")
    public HttpResponse<String> document() {
        return document == null
                ? HttpResponse.notFound()
                : HttpResponse.ok(document).header("Cache-Control", "max-age=3600");
    }
}
