package dev.hsmca.appliance.web.acme;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.hsmca.appliance.acme.AcmeProblem;
import dev.hsmca.appliance.acme.ChangeKey;
import dev.hsmca.appliance.acme.Finalize;
import dev.hsmca.appliance.acme.NewAccount;
import dev.hsmca.appliance.acme.NewOrder;
import dev.hsmca.appliance.acme.Revoke;
import dev.hsmca.appliance.acme.UpdateAccount;
import dev.hsmca.appliance.domain.Names;
import dev.hsmca.appliance.domain.PkiException;
import dev.hsmca.appliance.store.AcmeAccount;
import dev.hsmca.appliance.x509.Pem;
import dev.hsmca.core.RevocationReason;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON payloads of verified ACME requests (RFC 8555 §7), read into the services' commands: every field's type
 * and syntax is checked here, with the problem RFC 8555 names for it; what the CA decides (may this account order
 * this name, is this its key) the services check.
 */
final class AcmePayloads {
    static final int MAX_IDENTIFIERS = 100;

    private AcmePayloads() {}

    static NewAccount newAccount(AcmeRequest req, String newAccountUrl) {
        Map<String, Object> p = req.payload() == null ? Map.of() : req.payload();
        return new NewAccount(
                req.key(),
                Boolean.TRUE.equals(p.get("onlyReturnExisting")),
                contacts(p.get("contact")),
                binding(p.get("externalAccountBinding"), newAccountUrl));
    }

    /** The inner JWS of an External Account Binding, for the newAccount URL; its MAC is checked by the service. */
    private static NewAccount.Binding binding(Object eab, String newAccountUrl) {
        if (eab == null) {
            return null;
        }
        if (!(eab instanceof Map<?, ?> m)) {
            throw AcmeProblem.malformed("externalAccountBinding must be a flattened JWS object");
        }
        Jose.Flattened jws = Jose.parse(JSONObjectUtils.toJSONString(castMap(m)));
        if (!newAccountUrl.equals(jws.header().getCustomParam("url"))) {
            throw AcmeProblem.unauthorized("the binding's url header is not the newAccount URL");
        }
        try {
            JWK bound = JWK.parse(jws.payloadText());
            return new NewAccount.Binding(jws.header().getKeyID(), bound, hmacKey -> Jose.verifyMac(jws, hmacKey));
        } catch (ParseException e) {
            throw AcmeProblem.malformed("the external account binding's payload is not a JWK");
        }
    }

    /** A POST to an account URL; POST-as-GET (no payload) changes nothing. */
    static UpdateAccount updateAccount(AcmeRequest req, String accountId) {
        Map<String, Object> p = req.payload();
        if (p == null) {
            return new UpdateAccount(req.requireAccount(), accountId, null, null);
        }
        return new UpdateAccount(
                req.requireAccount(),
                accountId,
                p.containsKey("contact") ? contacts(p.get("contact")) : null,
                accountStatus(p.get("status")));
    }

    private static AcmeAccount.Status accountStatus(Object status) {
        if (status == null) {
            return null;
        }
        return Arrays.stream(AcmeAccount.Status.values())
                .filter(s -> s.text().equals(status))
                .findFirst()
                .orElseThrow(() -> AcmeProblem.malformed("an account's status may only change to deactivated"));
    }

    /** The contacts as a list of strings (none when null); which addresses are accepted is the service's rule. */
    private static List<String> contacts(Object contact) {
        if (contact == null) {
            return List.of();
        }
        if (!(contact instanceof List<?> list)) {
            throw new AcmeProblem(
                    PkiException.Kind.MALFORMED, "invalidContact", "contact must be a list of up to 5 mailto: URLs");
        }
        List<String> out = new ArrayList<>();
        for (Object c : list) {
            out.add(String.valueOf(c));
        }
        return out;
    }

    /** Key rollover (§7.3.5): the inner JWS, signed by the new key, for the keyChange URL, names the account and its old key. */
    static ChangeKey changeKey(AcmeRequest outer, String keyChangeUrl, String accountUrl) {
        AcmeAccount account = outer.requireAccount();
        Jose.Flattened inner = Jose.parse(outer.payloadText());
        JWK newKey = inner.header().getJWK();
        if (newKey == null
                || inner.header().getCustomParam("nonce") != null
                || !keyChangeUrl.equals(inner.header().getCustomParam("url"))) {
            throw AcmeProblem.malformed("the inner JWS must carry the new jwk, the keyChange url and no nonce");
        }
        if (!Jose.ALGORITHMS.contains(inner.header().getAlgorithm()) || !Jose.verify(inner, newKey)) {
            throw AcmeProblem.unauthorized("the inner JWS does not verify with the new key");
        }
        Map<String, Object> p = Jose.json(inner.payloadText());
        if (!accountUrl.equals(p.get("account"))) {
            throw AcmeProblem.unauthorized("the inner JWS names another account");
        }
        try {
            return new ChangeKey(account, JWK.parse(castMap((Map<?, ?>) p.get("oldKey"))), newKey);
        } catch (ParseException | ClassCastException | NullPointerException e) {
            throw AcmeProblem.malformed("oldKey must be the account's current JWK");
        }
    }

    static NewOrder newOrder(AcmeRequest req) {
        return new NewOrder(
                req.requireAccount(), identifiers(req.requirePayload().get("identifiers")));
    }

    /** The order's names, lower-cased and de-duplicated; DNS names only (wildcards as {@code *.domain}). */
    static Set<String> identifiers(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_IDENTIFIERS) {
            throw AcmeProblem.malformed("identifiers must be a list of 1 to " + MAX_IDENTIFIERS + " identifiers");
        }
        Set<String> names = new LinkedHashSet<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m) || !"dns".equals(m.get("type")) || !(m.get("value") instanceof String v)) {
                throw new AcmeProblem(
                        PkiException.Kind.MALFORMED,
                        "unsupportedIdentifier",
                        "only identifiers of type dns are supported");
            }
            String name = Names.dnsName(v.trim());
            if (name == null) { // the same syntax as a CSR's SANs: *.domain below a domain of two labels or more
                throw AcmeProblem.rejectedIdentifier("'" + Names.printable(v) + "' is not a DNS name");
            }
            names.add(name);
        }
        if (String.join(",", names).length() > 8192) {
            throw AcmeProblem.malformed("the identifiers are longer than 8192 characters");
        }
        return names;
    }

    static Finalize finalizeOrder(AcmeRequest req, String orderId) {
        Object csr = req.requirePayload().get("csr");
        if (!(csr instanceof String csrB64)) {
            throw AcmeProblem.malformed("finalize needs csr (base64url DER)");
        }
        try {
            return new Finalize(
                    req.requireAccount(), orderId, Base64.getUrlDecoder().decode(csrB64));
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.badCsr("csr is not base64url");
        }
    }

    /** Whether a POST to an authorization asks to deactivate it (§7.5.2); any other payload only reads it. */
    static boolean deactivates(AcmeRequest req) {
        return req.payload() != null && "deactivated".equals(req.payload().get("status"));
    }

    /** Whether a POST to a challenge is the client's "go" (§7.5.1): any payload ({@code {}}), not POST-as-GET. */
    static boolean respondsToChallenge(AcmeRequest req) {
        return req.payload() != null;
    }

    static Revoke revoke(AcmeRequest req) {
        Map<String, Object> p = req.requirePayload();
        if (!(p.get("certificate") instanceof String b64)) {
            throw AcmeProblem.malformed("revokeCert needs certificate (base64url DER)");
        }
        X509Certificate cert;
        try {
            cert = Pem.certificate(Base64.getUrlDecoder().decode(b64));
        } catch (RuntimeException e) {
            throw AcmeProblem.malformed("certificate is not a base64url DER certificate");
        }
        Object given = p.get("reason");
        if (given != null && !(given instanceof Integer || given instanceof Long)) { // 1.9, "6", 2^32+1: not a code
            throw AcmeProblem.badRevocationReason("reason must be an RFC 5280 reason code (an integer)");
        }
        long code = given == null ? 0 : ((Number) given).longValue();
        RevocationReason reason = Arrays.stream(RevocationReason.values())
                .filter(r -> r.code() == code)
                .findFirst()
                .orElseThrow(() -> AcmeProblem.badRevocationReason("reason " + code + " is not one this CA accepts"));
        Revoke.Requester by = req.account() != null
                ? new Revoke.ByAccount(req.account())
                : new Revoke.ByCertificateKey(Jose.publicKey(req.key()));
        return new Revoke(cert, reason, by);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
