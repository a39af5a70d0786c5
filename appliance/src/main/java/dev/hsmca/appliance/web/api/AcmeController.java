package dev.hsmca.appliance.web.api;

import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.acme.AcmeCertificates;
import dev.hsmca.appliance.acme.AcmeConfig;
import dev.hsmca.appliance.acme.AcmeNonces;
import dev.hsmca.appliance.acme.AcmeOrders;
import dev.hsmca.appliance.acme.AcmePayloads;
import dev.hsmca.appliance.acme.AcmeRequest;
import dev.hsmca.appliance.acme.AcmeRequests;
import dev.hsmca.appliance.acme.AcmeUrls;
import dev.hsmca.appliance.acme.AcmeValidations;
import dev.hsmca.appliance.domain.RenewalWindow;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeAuthorization;
import dev.hsmca.appliance.store.AcmeChallenge;
import dev.hsmca.appliance.store.AcmeOrder;
import dev.hsmca.appliance.x509.NameLists;
import dev.hsmca.appliance.audit.AuditGuard;
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

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 8555 under {@code /acme}: every POST is a JWS checked by {@link AcmeRequests}; every answer carries a fresh
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

    public AcmeController(AcmeRequests requests, AcmeNonces nonces, AcmeAccounts accounts, AcmeOrders orders,
                          AcmeCertificates certificates, AcmeValidations validations, AcmeConfig config,
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
        AcmeUrls u = urls(request);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("newNonce", u.newNonce());
        d.put("newAccount", u.newAccount());
        d.put("newOrder", u.newOrder());
        d.put("revokeCert", u.revokeCert());
        d.put("keyChange", u.keyChange());
        d.put("renewalInfo", u.renewalInfo());
        d.put("meta", Map.of("externalAccountRequired", config.eabRequired()));
        return HttpResponse.ok(d);
    }

    /** HEAD (200) or GET (204), RFC 8555 §7.2; the framework routes HEAD here too. */
    @Get("/new-nonce")
    public HttpResponse<Void> newNonce(HttpRequest<?> request) {
        return reply(request, request.getMethod() == io.micronaut.http.HttpMethod.HEAD ? HttpResponse.ok() : HttpResponse.noContent());
    }

    @Post(value = "/new-account", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> newAccount(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.newAccount(), AcmeRequests.Signer.JWK);
        AcmeAccounts.Outcome o = accounts.newAccount(AcmePayloads.newAccount(req, u.newAccount()));
        MutableHttpResponse<Map<String, Object>> r = o.created()
                ? HttpResponse.<Map<String, Object>>status(HttpStatus.CREATED).body(account(o.account()))
                : HttpResponse.ok(account(o.account()));
        return reply(request, r.header("Location", u.account(o.account().id())));
    }

    @Post(value = "/acct/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> account(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeAccount a = accounts.update(AcmePayloads.updateAccount(verify(request, body, u.account(id), AcmeRequests.Signer.ACCOUNT), id));
        return reply(request, HttpResponse.ok(account(a)).header("Location", u.account(a.id())));
    }

    @Post(value = "/key-change", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> keyChange(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.keyChange(), AcmeRequests.Signer.ACCOUNT);
        AcmeAccount a = accounts.changeKey(AcmePayloads.changeKey(req, u.keyChange(), u.account(req.requireAccount().id())));
        return reply(request, HttpResponse.ok(account(a)));
    }

    @Post(value = "/new-order", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> newOrder(HttpRequest<?> request, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeOrders.OrderView o = orders.newOrder(AcmePayloads.newOrder(verify(request, body, u.newOrder(), AcmeRequests.Signer.ACCOUNT)));
        return reply(request, HttpResponse.<Map<String, Object>>status(HttpStatus.CREATED).body(order(u, o))
                .header("Location", u.order(o.order().id())));
    }

    @Post(value = "/order/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> order(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeOrders.OrderView o = orders.order(verify(request, body, u.order(id), AcmeRequests.Signer.ACCOUNT).requireAccount(), id);
        return reply(request, HttpResponse.ok(order(u, o)));
    }

    @Post(value = "/order/{id}/finalize", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> finalizeOrder(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        auditGuard.requireIntact(); // before the nonce is spent and the order moves: a client retries this as is
        AcmeUrls u = urls(request);
        AcmeOrders.OrderView o = orders.finalizeOrder(
                AcmePayloads.finalizeOrder(verify(request, body, u.finalize(id), AcmeRequests.Signer.ACCOUNT), id));
        return reply(request, HttpResponse.ok(order(u, o)).header("Location", u.order(id)));
    }

    @Post(value = "/authz/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> authorization(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.authorization(id), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.AuthzView a = AcmePayloads.deactivates(req) ? orders.deactivate(req.requireAccount(), id)
                : orders.authorization(req.requireAccount(), id);
        return pollSoon(reply(request, HttpResponse.ok(authorization(u, a))),
                a.authorization().status() == AcmeAuthorization.Status.PENDING);
    }

    @Post(value = "/chall/{id}", produces = MediaType.APPLICATION_JSON)
    @Consumes(JOSE)
    public HttpResponse<Map<String, Object>> challenge(HttpRequest<?> request, @PathVariable String id, @Body String body) {
        AcmeUrls u = urls(request);
        AcmeRequest req = verify(request, body, u.challenge(id), AcmeRequests.Signer.ACCOUNT);
        AcmeOrders.Started s = AcmePayloads.respondsToChallenge(req) ? orders.respond(req.requireAccount(), id)
                : orders.challenge(req.requireAccount(), id);
        if (s.start()) {
            validations.start(s);
        }
        return pollSoon(reply(request, HttpResponse.ok(challenge(u, s.challenge()))
                .header("Link", "<" + u.authorization(s.authorization().id()) + ">;rel=\"up\"")),
                s.challenge().status() == AcmeChallenge.Status.PENDING || s.challenge().status() == AcmeChallenge.Status.PROCESSING);
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
        String chain = certificates.chain(verify(request, body, u.certificate(id), AcmeRequests.Signer.ACCOUNT).requireAccount(), id);
        return reply(request, HttpResponse.ok(chain).contentType(PEM_CHAIN));
    }

    @Post(value = "/revoke-cert")
    @Consumes(JOSE)
    public HttpResponse<Void> revoke(HttpRequest<?> request, @Body String body) {
        certificates.revoke(AcmePayloads.revoke(verify(request, body, urls(request).revokeCert(), AcmeRequests.Signer.EITHER)));
        return reply(request, HttpResponse.ok());
    }

    @Get(value = "/renewal-info/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<Map<String, Object>> renewalInfo(@PathVariable String id) {
        RenewalWindow w = certificates.renewalInfo(id);
        return HttpResponse.ok(Map.<String, Object>of("suggestedWindow",
                Map.of("start", w.start().toString(), "end", w.end().toString()))).header("Retry-After", "21600");
    }

    private static Map<String, Object> account(AcmeAccount a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", a.status().text());
        m.put("contact", NameLists.split(a.contact()));
        return m;
    }

    private static Map<String, Object> order(AcmeUrls u, AcmeOrders.OrderView v) {
        AcmeOrder o = v.order();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", o.status().text());
        m.put("expires", o.expiresAt().toString());
        List<Map<String, String>> ids = new ArrayList<>();
        NameLists.split(o.identifiers()).forEach(n -> ids.add(Map.of("type", "dns", "value", n)));
        m.put("identifiers", ids);
        m.put("authorizations", v.authorizations().stream().map(a -> u.authorization(a.id())).toList());
        m.put("finalize", u.finalize(o.id()));
        if (o.certificateSerial() != null) {
            m.put("certificate", u.certificate(o.id()));
        }
        if (o.error() != null) {
            m.put("error", Map.of("type", "urn:ietf:params:acme:error:unauthorized", "detail", o.error()));
        }
        return m;
    }

    private static Map<String, Object> authorization(AcmeUrls u, AcmeOrders.AuthzView v) {
        AcmeAuthorization a = v.authorization();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", a.status().text());
        m.put("expires", a.expiresAt().toString());
        m.put("identifier", Map.of("type", "dns", "value", a.identifier()));
        m.put("challenges", v.challenges().stream().map(c -> challenge(u, c)).toList());
        if (a.wildcard()) {
            m.put("wildcard", true);
        }
        return m;
    }

    private static Map<String, Object> challenge(AcmeUrls u, AcmeChallenge c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", c.type());
        m.put("url", u.challenge(c.id()));
        m.put("status", c.status().text());
        m.put("token", c.token());
        if (c.validatedAt() != null) {
            m.put("validated", c.validatedAt().toString());
        }
        if (c.error() != null) {
            int split = c.error().indexOf(": ");
            m.put("error", Map.of("type", split > 0 ? c.error().substring(0, split) : "urn:ietf:params:acme:error:unauthorized",
                    "detail", split > 0 ? c.error().substring(split + 2) : c.error()));
        }
        return m;
    }
}
