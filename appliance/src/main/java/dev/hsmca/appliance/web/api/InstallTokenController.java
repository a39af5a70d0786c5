package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.enrollment.CreateTokenRequest;
import dev.hsmca.appliance.enrollment.InstallTokens;
import dev.hsmca.appliance.enrollment.TokenView;
import dev.hsmca.appliance.web.Authorizer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Install tokens: create (shown once), list and revoke unused ones. Administrators only. */
@Controller("/api/v1/install-tokens")
@Produces(MediaType.APPLICATION_JSON)
public class InstallTokenController {
    private final Authorizer authorizer;
    private final InstallTokens tokens;
    private final Clock clock;

    public InstallTokenController(Authorizer authorizer, InstallTokens tokens, Clock clock) {
        this.authorizer = authorizer;
        this.tokens = tokens;
        this.clock = clock;
    }

    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    public HttpResponse<TokenView> create(HttpRequest<?> request, @Body CreateTokenRequest body) {
        InstallTokens.Created created = tokens.create(body, authorizer.operator(request));
        return HttpResponse.created(TokenView.of(created.record(), created.token(), clock.instant()));
    }

    @Get
    public Map<String, List<TokenView>> list(
            HttpRequest<?> request, @Nullable @QueryValue String service, @Nullable @QueryValue String state) {
        authorizer.admin(request);
        var now = clock.instant();
        List<TokenView> views = tokens.list(service, state, 1000).stream()
                .map(t -> TokenView.of(t, null, now))
                .toList();
        return Map.of("tokens", views);
    }

    @Delete("/{id}")
    public TokenView revoke(HttpRequest<?> request, @PathVariable String id) {
        AdminGrant admin = authorizer.admin(request);
        return TokenView.of(tokens.revoke(id, admin), null, clock.instant());
    }
}
