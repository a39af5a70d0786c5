package dev.hsmca.appliance.acme;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.domain.PkiMetrics;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeAuthorization;
import dev.hsmca.appliance.store.AcmeChallenge;
import dev.hsmca.appliance.store.AcmeEabKey;
import dev.hsmca.appliance.store.AcmeOrder;
import dev.hsmca.appliance.store.AcmeRepositories;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.x509.NameLists;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Orders, authorizations and challenges (RFC 8555 §7.4–7.5), and finalize through the same issuance pipeline as the
 * REST API: lint, sign in the HSM, store, pre-sign OCSP, audit. An account orders only the names its External
 * Account Binding allows, under the binding's service and profile.
 */
@Singleton
public class AcmeOrders {
    /** An order with its authorizations. */
    public record OrderView(AcmeOrder order, List<AcmeAuthorization> authorizations) {}

    /** An authorization with its challenges. */
    public record AuthzView(AcmeAuthorization authorization, List<AcmeChallenge> challenges) {}

    private final AcmeRepositories.Orders orders;
    private final AcmeRepositories.Authorizations authorizations;
    private final AcmeRepositories.Challenges challenges;
    private final AcmeAccounts accounts;
    private final RegistrationAuthority ra;
    private final AcmeConfig config;
    private final AuditLog audit;
    private final PkiMetrics metrics;
    private final Clock clock;

    public AcmeOrders(
            AcmeRepositories.Orders orders,
            AcmeRepositories.Authorizations authorizations,
            AcmeRepositories.Challenges challenges,
            AcmeAccounts accounts,
            RegistrationAuthority ra,
            AcmeConfig config,
            AuditLog audit,
            PkiMetrics metrics,
            Clock clock) {
        this.orders = orders;
        this.authorizations = authorizations;
        this.challenges = challenges;
        this.accounts = accounts;
        this.ra = ra;
        this.config = config;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Transactional
    public OrderView newOrder(NewOrder req) {
        AcmeAccount account = accounts.requireActive(req.account());
        Set<String> names = req.names();
        AcmeEabKey binding = accounts.binding(account).orElse(null);
        for (String n : names) {
            if (binding != null && !allowed(n, NameLists.split(binding.allowedDns()))) {
                metrics.acmeOrder("rejectedIdentifier");
                throw AcmeProblem.rejectedIdentifier(
                        "'" + n + "' is not among the names this account may order (" + binding.allowedDns() + ")");
            }
        }
        Instant now = clock.instant();
        if (orders.countSince(account.id(), now.minus(Duration.ofHours(1))) >= config.ordersPerHour()) {
            metrics.acmeOrder("rateLimited");
            throw AcmeProblem.rateLimited("at most " + config.ordersPerHour() + " orders an hour per account");
        }
        if (authorizations.countPending(account.id(), now) + names.size() > config.pendingAuthorizations()) {
            metrics.acmeOrder("rateLimited");
            throw AcmeProblem.rateLimited(
                    "at most " + config.pendingAuthorizations() + " pending authorizations per account");
        }
        Instant expires = now.plus(config.orderLifetime());
        AcmeOrder order = orders.save(new AcmeOrder(
                AcmeAccounts.randomId(),
                account.id(),
                AcmeOrder.Status.PENDING,
                String.join(",", names),
                expires,
                null,
                null,
                now));
        List<AcmeAuthorization> authz = new ArrayList<>();
        for (String n : names) {
            boolean wildcard = n.startsWith("*.");
            AcmeAuthorization a = authorizations.save(new AcmeAuthorization(
                    AcmeAccounts.randomId(),
                    order.id(),
                    account.id(),
                    wildcard ? n.substring(2) : n,
                    wildcard,
                    AcmeAuthorization.Status.PENDING,
                    expires));
            for (String type : wildcard ? List.of("dns-01") : List.of("http-01", "dns-01", "tls-alpn-01")) {
                challenges.save(new AcmeChallenge(
                        AcmeAccounts.randomId(),
                        a.id(),
                        type,
                        token(),
                        AcmeChallenge.Status.PENDING,
                        null,
                        null,
                        null));
            }
            authz.add(a);
        }
        audit.record(
                "acme:" + account.id(), "acme.order.create", "acme-order:" + order.id(), AuditLog.OK, "dns=" + names);
        metrics.acmeOrder("created");
        return new OrderView(order, authz);
    }

    @Transactional(readOnly = true)
    public OrderView order(AcmeAccount account, String id) {
        AcmeOrder o = orders.findById(id).orElseThrow(() -> AcmeProblem.notFound("no order " + id));
        owned(account, o.accountId());
        return new OrderView(o, authorizations.findByOrderId(id));
    }

    @Transactional(readOnly = true)
    public AuthzView authorization(AcmeAccount account, String id) {
        AcmeAuthorization a = ownedAuthorization(account, id);
        return new AuthzView(a, challenges.findByAuthzId(id));
    }

    /** The client gives the authorization up (§7.5.2): its order fails. */
    @Transactional
    public AuthzView deactivate(AcmeAccount account, String id) {
        AcmeAuthorization a = ownedAuthorization(account, id);
        authorizations.update(new AcmeAuthorization(
                a.id(),
                a.orderId(),
                a.accountId(),
                a.identifier(),
                a.wildcard(),
                AcmeAuthorization.Status.DEACTIVATED,
                a.expiresAt()));
        orders.failed(a.orderId(), "an authorization was deactivated");
        return new AuthzView(authorizations.findById(id).orElseThrow(), challenges.findByAuthzId(id));
    }

    private AcmeAuthorization ownedAuthorization(AcmeAccount account, String id) {
        AcmeAuthorization a =
                authorizations.findById(id).orElseThrow(() -> AcmeProblem.notFound("no authorization " + id));
        owned(account, a.accountId());
        return a;
    }

    /** A challenge as it is (POST-as-GET). */
    @Transactional(readOnly = true)
    public Started challenge(AcmeAccount account, String id) {
        AcmeChallenge c = challenges.findById(id).orElseThrow(() -> AcmeProblem.notFound("no challenge " + id));
        AcmeAuthorization a = authorizations.findById(c.authzId()).orElseThrow();
        owned(account, a.accountId());
        return new Started(c, a, false, account.thumbprint());
    }

    /** The client's "go" (§7.5.1): the challenge's validation starts, once. */
    @Transactional
    public Started respond(AcmeAccount account, String id) {
        AcmeChallenge c = challenges.findById(id).orElseThrow(() -> AcmeProblem.notFound("no challenge " + id));
        AcmeAuthorization a = authorizations.findById(c.authzId()).orElseThrow();
        owned(account, a.accountId());
        accounts.requireActive(account); // no validation for a revoked account
        boolean start = a.status() == AcmeAuthorization.Status.PENDING && challenges.start(id) == 1;
        return new Started(challenges.findById(id).orElseThrow(), a, start, account.thumbprint());
    }

    /** The challenge's state after the POST; {@code start} when this request began its validation. */
    public record Started(AcmeChallenge challenge, AcmeAuthorization authorization, boolean start, String thumbprint) {}

    /** Records a validation's outcome; the authorization and the order follow. */
    @Transactional
    public void settle(Started s, AcmeValidator.Result result) {
        Instant now = clock.instant();
        challenges.finish(
                s.challenge().id(),
                result.valid() ? AcmeChallenge.Status.VALID : AcmeChallenge.Status.INVALID,
                now,
                result.valid() ? null : result.problemType(),
                result.valid() ? null : result.detail());
        authorizations.settle(
                s.authorization().id(),
                result.valid() ? AcmeAuthorization.Status.VALID : AcmeAuthorization.Status.INVALID);
        String orderId = s.authorization().orderId();
        if (!result.valid()) {
            orders.failed(
                    orderId, "authorization for " + s.authorization().identifier() + " failed: " + result.detail());
        } else if (authorizations.findByOrderId(orderId).stream()
                .allMatch(x -> x.status() == AcmeAuthorization.Status.VALID)) {
            orders.transition(orderId, AcmeOrder.Status.PENDING, AcmeOrder.Status.READY);
        }
        metrics.acmeValidation(s.challenge().type(), result.valid());
        audit.record(
                "acme:" + s.authorization().accountId(),
                "acme.challenge." + (result.valid() ? "valid" : "invalid"),
                "acme-challenge:" + s.challenge().id(),
                result.valid() ? AuditLog.OK : AuditLog.FAILED,
                s.challenge().type() + " " + s.authorization().identifier()
                        + (result.valid() ? "" : ": " + result.detail()));
    }

    /**
     * Finalize (§7.4): the CSR must name exactly the order's names. The registration authority decides and signs
     * with no transaction open; the write that stores the certificate moves the order from ready, so of racing
     * finalizes one issues and the others are refused.
     */
    public OrderView finalizeOrder(Finalize req) {
        AcmeAccount account = req.account();
        String id = req.orderId();
        accounts.requireActive(account); // revoked since the request's own check: nothing is issued
        long start = System.nanoTime();
        AcmeOrder o = orders.findById(id).orElseThrow(() -> AcmeProblem.notFound("no order " + id));
        owned(account, o.accountId());
        if (o.expiresAt().isBefore(clock.instant())) {
            throw AcmeProblem.orderNotReady("order " + id + " expired");
        }
        if (o.status() != AcmeOrder.Status.READY) {
            metrics.acmeFinalized(System.nanoTime() - start, false);
            throw notReady(id, o.status().text());
        }
        String csrPem = pem(req.csrDer());
        AcmeEabKey binding = accounts.binding(account).orElse(null);
        try {
            ra.issue(new IssuanceCommand(
                    IssuanceCommand.Channel.ACME,
                    entitlement(account, binding, o),
                    csrPem,
                    null,
                    null,
                    null,
                    CertificateAsk.Identity.EXACT,
                    null,
                    new IssuanceCommand.Claim() {
                        @Override
                        public void before(String serial) {
                            if (!accounts.stillActive(account)) { // revoked while this finalize signed
                                throw AcmeProblem.unauthorized("account " + account.id() + " was revoked");
                            }
                            if (orders.transition(id, AcmeOrder.Status.READY, AcmeOrder.Status.PROCESSING) != 1) {
                                throw notReady(id, "no longer ready");
                            }
                        }

                        @Override
                        public void after(CertificateRecord stored) {
                            orders.issued(id, stored.serial());
                        }
                    },
                    "order=" + id));
        } catch (AcmeProblem e) {
            metrics.acmeFinalized(System.nanoTime() - start, false);
            throw e;
        } catch (PkiException e) {
            metrics.acmeFinalized(System.nanoTime() - start, false);
            if (e.kind() == PkiException.Kind.MALFORMED || e.kind() == PkiException.Kind.FORBIDDEN) {
                throw AcmeProblem.badCsr(e.getMessage());
            }
            throw e;
        }
        metrics.acmeFinalized(System.nanoTime() - start, true);
        return new OrderView(orders.findById(id).orElseThrow(), authorizations.findByOrderId(id));
    }

    /**
     * What an order's account may be issued: exactly the order's names (its challenges proved them, its binding
     * allowed them), under the binding's service and profile, for the configured lifetime.
     */
    private Entitlement entitlement(AcmeAccount account, AcmeEabKey binding, AcmeOrder order) {
        return new Entitlement(
                Entitlement.Source.ACME,
                "acme:" + account.id(),
                binding == null ? null : binding.service(),
                binding == null ? config.defaultProfile() : binding.profile(),
                NameLists.split(order.identifiers()),
                List.of(),
                List.of(),
                Set.of(),
                false,
                Duration.ofDays(config.validityDays()),
                Duration.ofDays(config.validityDays()),
                null);
    }

    private static AcmeProblem notReady(String id, String status) {
        return AcmeProblem.orderNotReady(
                "order " + id + " is " + status + ", not ready: every authorization must be valid first");
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    private static void owned(AcmeAccount account, String accountId) {
        if (!account.id().equals(accountId)) {
            throw AcmeProblem.unauthorized("this belongs to another account");
        }
    }

    /** A name is allowed by an exact entry, or by {@code *.domain} for the wildcard and names one label below. */
    static boolean allowed(String name, List<String> patterns) {
        return patterns.stream().anyMatch(p -> Names.matches(p, name));
    }

    private static String token() {
        return AcmeAccounts.randomId() + AcmeAccounts.randomId().substring(0, 8);
    }

    @Transactional
    public int purgeExpired() {
        Instant before = clock.instant();
        challenges.purgeForExpiredOrders(before);
        authorizations.purgeForExpiredOrders(before);
        return orders.purgeExpired(before);
    }
}
