package dev.hsmca.appliance.web.acme;

import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.acme.AcmeCertificates;
import dev.hsmca.appliance.acme.AcmeConfig;
import dev.hsmca.appliance.acme.AcmeOrders;
import dev.hsmca.appliance.acme.AcmeValidations;
import dev.hsmca.appliance.audit.AuditGuard;
import dev.hsmca.appliance.domain.RenewalWindow;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeAuthorization;
import dev.hsmca.appliance.store.AcmeChallenge;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import java.util.Map;

/**
 * RFC 8555 under {@code /acme}: every POST is a JWS checked by {@link AcmeRequests}, its payload read into a
 * service's command by {@link AcmePayloads}; the answer is rendered by {@link AcmeResources}, with a fresh
 * {@code Replay-Nonce} and the directory {@code Link}; refusals are problem documents ({@code web.ErrorResponses}).
 */
@Controller("/acme")
public class AcmeController {
    static final String JOSE = "application/jose+json";
    static final String PEM_CHAIN = "application/pem-certificate-chain";

    private final AcmeRequests requests;
    private final AcmeNonces nonces;
    private final AcmeAccounts accounts;
    private final AcmeOrders orders;
    private final AcmeCertificates certificates;
    private final AcmeValidations validations;
    private final AcmeConfig config;
    private final AuditGuard auditGuard;

    public AcmeController(
            AcmeRequests requests,
            AcmeNonces nonces,
            AcmeAccounts accounts,
            AcmeOrders orders,
            AcmeCertificates certificates,
            AcmeValidations validations,
            AcmeConfig config,
            AuditGuard auditGuard) {
        this.requests = requests;
        this.nonces = nonces;
        this.accounts = accounts;
        this.orders = orders;
        this.certificates = certificates;
        this.validations = validations;
        this.config = config;
        this.auditGuard = auditGuard;
    }

    /** The URLs as this client reached the appliance (the JWS url header must match them exactly). */
    static AcmeUrls urls(HttpRequest<?> request) {
        String host = request.getHeaders().get("Host");
        return new AcmeUrls("https://" + (host == null ? "localhost" : host));
    }

    private AcmeRequest verify(HttpRequest<?> request, String body, String url, AcmeRequests.Signer signer) {
        return requests.verify(body, url, urls(request).accountPrefix(), signer);
    }

    private <T> MutableHttpResponse<T> reply(HttpRequest<?> request, MutableHttpResponse<T> response) {
        return response.header("Replay-Nonce", nonces.next())
                .header("Link", "<" + urls(request).directory() + ">;rel=\"index\"")
                .header("Cache-Control", "no-store");
    }

    @Get(value = "/directory", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Map<String, Object>> directory(HttpRequest<?> request) {
        return HttpResponse.ok(AcmeResources.directory(urls(request), config.eabRequired()));
    }

    /** HEAD (200) or GET (204), RFC 8555 §7.2; the framework routes HEAD here too. */
    @Get("/new-nonce")
    public HttpResponse<Void> newNonce(HttpRequest<?> request) {
        return reply(request, request.getMethod() == HttpMethod.HEAD ? HttpResponse.ok() : HttpResponse.noContent());
    }

    @Post(value = "/new-account", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> newAccount(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.newAccount(), AcmeRequests.Signer.JWK);
        AcmeAccounts.Outcome o = accounts.newAccount(AcmePayloads.newAccount(req, u.newAccount()));
        Map<String, Object> json = AcmeResources.account(o.account());
        MutableHttpResponse<Map<String, Object>> r = o.created()
                ? HttpResponse.<Map<String, Object>>status(HttpStatus.CREATED).body(json)
                : HttpResponse.ok(json);
        return reply(request, r.header("Location", u.account(o.account().id())));
    }

    @Post(value = "/acct/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> account(
            HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.account(id), AcmeRequests.Signer.ACCOUNT);
        AcmeAccount a = accounts.update(AcmePayloads.updateAccount(req, id));
        return reply(request, HttpResponse.ok(AcmeResources.account(a)).header("Location", u.account(a.id())));
    }

    @Post(value = "/key-change", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> keyChange(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.keyChange(), AcmeRequests.Signer.ACCOUNT);
        AcmeAccount a = accounts.changeKey(AcmePayloads.changeKey(
                req, u.keyChange(), u.account(req.requireAccount().id())));
        return reply(request, HttpResponse.ok(AcmeResources.account(a)));
    }

    @Post(value = "/new-order", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> newOrder(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.newOrder(), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.OrderView o = orders.newOrder(AcmePayloads.newOrder(req));
        return reply(
                request,
                HttpResponse.<Map<String, Object>>status(HttpStatus.CREATED)
                        .body(AcmeResources.order(u, o))
                        .header("Location", u.order(o.order().id())));
    }

    @Post(value = "/order/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> order(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.order(id), AcmeRequests.Signer.ACCOUNT);
        return reply(request, HttpResponse.ok(AcmeResources.order(u, orders.order(req.requireAccount(), id))));
    }

    @Post(value = "/order/{id}/finalize", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> finalizeOrder(
            HttpRequest<?> request, @PathVariable String id, @Body String body) {
        auditGuard.requireIntact(); // before the nonce is spent and the order moves: a client retries this as is
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.finalize(id), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.OrderView o = orders.finalizeOrder(AcmePayloads.finalizeOrder(req, id));
        return reply(request, HttpResponse.ok(AcmeResources.order(u, o)).header("Location", u.order(id)));
    }

    @Post(value = "/authz/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> authorization(
            HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.authorization(id), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.AuthzView a = AcmePayloads.deactivates(req)
                ? orders.deactivate(req.requireAccount(), id)
                : orders.authorization(req.requireAccount(), id);
        return pollSoon(
                reply(request, HttpResponse.ok(AcmeResources.authorization(u, a))),
                a.authorization().status() == AcmeAuthorization.Status.PENDING);
    }

    @Post(value = "/chall/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> challenge(
            HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.challenge(id), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.Started s = AcmePayloads.respondsToChallenge(req)
                ? orders.respond(req.requireAccount(), id)
                : orders.challenge(req.requireAccount(), id);
        if (s.start()) {
            validations.start(s);
        }
        AcmeChallenge.Status status = s.challenge().status();
        return pollSoon(
                reply(
                        request,
                        HttpResponse.ok(AcmeResources.challenge(u, s.challenge()))
                                .header(
                                        "Link",
                                        "<" + u.authorization(s.authorization().id()) + ">;rel=\"up\"")),
                status == AcmeChallenge.Status.PENDING || status == AcmeChallenge.Status.PROCESSING);
    }

    /**
     * While a validation runs (RFC 8555 §8.2): poll again in a second. Validations here take milliseconds, and lego,
     * given no Retry-After, waits 5 s before it asks again.
     */
    private static <T> MutableHttpResponse<T> pollSoon(MutableHttpResponse<T> response, boolean waiting) {
        return waiting ? response.header("Retry-After", "1") : response;
    }

    @Post(value = "/cert/{id}", produces = PEM_CHAIN)
    @Consumes(JOSE)
    public HttpResponse<String> certificate(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.certificate(id), AcmeRequests.Signer.ACCOUNT);
        return reply(
                request,
                HttpResponse.ok(certificates.chain(req.requireAccount(), id)).contentType(PEM_CHAIN));
    }

    @Post(value = "/revoke-cert")
    @Consumes(JOSE)
    public HttpResponse<Void> revoke(HttpRequest<?> request, @Body String body) {
        AcmeRequest req = verify(request, body, urls(request).revokeCert(), AcmeRequests.Signer.EITHER);
        certificates.revoke(AcmePayloads.revoke(req));
        return reply(request, HttpResponse.ok());
    }

    @Get(value = "/renewal-info/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Map<String, Object>> renewalInfo(@PathVariable String id) {
        RenewalWindow w = certificates.renewalInfo(id);
        return HttpResponse.ok(Map.<String, Object>of(
                        "suggestedWindow",
                        Map.of("start", w.start().toString(), "end", w.end().toString())))
                .header("Retry-After", "21600");
    }
}
