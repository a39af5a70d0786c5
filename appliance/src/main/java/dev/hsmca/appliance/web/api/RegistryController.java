package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.registry.RegisterServiceRequest;
import dev.hsmca.appliance.registry.Registry;
import dev.hsmca.appliance.registry.ServiceView;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import java.util.List;
import java.util.Map;

/** The service registry: a service registers itself over mTLS, admins see all. */
@Controller("/api/v1/services")
@Produces(MediaType.APPLICATION_JSON)
public class RegistryController {
    private final Authorizer authorizer;
    private final Registry registry;

    public RegistryController(Authorizer authorizer, Registry registry) {
        this.authorizer = authorizer;
        this.registry = registry;
    }

    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    public ServiceView register(HttpRequest<?> request, @Body RegisterServiceRequest body) {
        return registry.register(body, authorizer.adminOrHolder(request));
    }

    @Get
    public Map<String, List<ServiceView>> list(HttpRequest<?> request) {
        authorizer.admin(request);
        return Map.of("services", registry.list());
    }

    @Get("/{service}")
    public ServiceView get(HttpRequest<?> request, @PathVariable String service) {
        return registry.get(service, authorizer.adminOrHolder(request));
    }
}
