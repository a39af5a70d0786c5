package dev.hsmca.appliance.web.acme;

import dev.hsmca.appliance.acme.AcmeOrders;
import dev.hsmca.appliance.acme.AcmeProblem;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.store.AcmeAuthorization;
import dev.hsmca.appliance.store.AcmeChallenge;
import dev.hsmca.appliance.store.AcmeOrder;
import dev.hsmca.appliance.x509.NameLists;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The JSON of ACME resources (RFC 8555 §7.1): the directory, accounts, orders, authorizations and challenges. */
final class AcmeResources {
    private AcmeResources() {}

    static Map<String, Object> directory(AcmeUrls u, boolean externalAccountRequired) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("newNonce", u.newNonce());
        d.put("newAccount", u.newAccount());
        d.put("newOrder", u.newOrder());
        d.put("revokeCert", u.revokeCert());
        d.put("keyChange", u.keyChange());
        d.put("renewalInfo", u.renewalInfo());
        d.put("meta", Map.of("externalAccountRequired", externalAccountRequired));
        return d;
    }

    static Map<String, Object> account(AcmeAccount a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", a.status().text());
        m.put("contact", NameLists.split(a.contact()));
        return m;
    }

    static Map<String, Object> order(AcmeUrls u, AcmeOrders.OrderView v) {
        AcmeOrder o = v.order();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", o.status().text());
        m.put("expires", o.expiresAt().toString());
        List<Map<String, String>> ids = new ArrayList<>();
        NameLists.split(o.identifiers()).forEach(n -> ids.add(Map.of("type", "dns", "value", n)));
        m.put("identifiers", ids);
        m.put(
                "authorizations",
                v.authorizations().stream().map(a -> u.authorization(a.id())).toList());
        m.put("finalize", u.finalize(o.id()));
        if (o.certificateSerial() != null) {
            m.put("certificate", u.certificate(o.id()));
        }
        if (o.error() != null) {
            m.put("error", Map.of("type", AcmeProblem.PREFIX + "unauthorized", "detail", o.error()));
        }
        return m;
    }

    static Map<String, Object> authorization(AcmeUrls u, AcmeOrders.AuthzView v) {
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

    static Map<String, Object> challenge(AcmeUrls u, AcmeChallenge c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", c.type());
        m.put("url", u.challenge(c.id()));
        m.put("status", c.status().text());
        m.put("token", c.token());
        if (c.validatedAt() != null) {
            m.put("validated", c.validatedAt().toString());
        }
        if (c.errorType() != null) {
            m.put(
                    "error",
                    Map.of(
                            "type",
                            AcmeProblem.PREFIX + c.errorType(),
                            "detail",
                            Objects.requireNonNullElse(c.errorDetail(), "")));
        }
        return m;
    }
}
