package dev.hsmca.appliance.web.acme;

import com.nimbusds.jose.jwk.JWK;
import dev.hsmca.appliance.acme.AcmeAccounts;
import dev.hsmca.appliance.acme.AcmeProblem;
import dev.hsmca.appliance.store.AcmeAccount;
import jakarta.inject.Singleton;
import java.text.ParseException;

/**
 * Checks every ACME POST (RFC 8555 §6.2–6.5): a flattened JWS with an allowed algorithm, signed by the key it
 * names ({@code jwk} for new accounts and revocation by certificate key, else the {@code kid} of a valid account),
 * for exactly this URL, with a nonce this CA handed out and nobody used. The nonce is taken last, after the
 * signature verified, so nobody can burn a client's nonces.
 */
@Singleton
public class AcmeRequests {
    /** Which key the request may be signed with. */
    enum Signer {
        /** {@code jwk} in the header: newAccount. */
        JWK,
        /** {@code kid}: an existing account. */
        ACCOUNT,
        /** either: revokeCert (by the account, or by the certificate's own key). */
        EITHER
    }

    private final AcmeAccounts accounts;
    private final AcmeNonces nonces;

    public AcmeRequests(AcmeAccounts accounts, AcmeNonces nonces) {
        this.accounts = accounts;
        this.nonces = nonces;
    }

    AcmeRequest verify(String body, String url, String accountUrlPrefix, Signer signer) {
        Jose.Flattened jws = Jose.parse(body);
        var header = jws.header();
        if (header.getAlgorithm() == null || !Jose.ALGORITHMS.contains(header.getAlgorithm())) {
            throw AcmeProblem.badSignatureAlgorithm("the JWS algorithm must be one of " + Jose.ALGORITHMS);
        }
        Object headerUrl = header.getCustomParam("url");
        if (!url.equals(headerUrl)) {
            throw AcmeProblem.unauthorized(
                    "the JWS url header (" + headerUrl + ") is not this request's URL (" + url + ")");
        }
        JWK jwk = header.getJWK();
        String kid = header.getKeyID();
        if ((jwk == null) == (kid == null)) {
            throw AcmeProblem.malformed("the JWS header must carry exactly one of jwk and kid");
        }
        if (jwk != null && signer == Signer.ACCOUNT) {
            throw AcmeProblem.malformed("this request must be signed by an account (kid), not a jwk");
        }
        if (kid != null && signer == Signer.JWK) {
            throw AcmeProblem.malformed("a new account is requested with its jwk, not a kid");
        }
        AcmeAccount account = null;
        JWK key = jwk;
        if (kid != null) {
            if (!kid.startsWith(accountUrlPrefix)) {
                throw AcmeProblem.accountDoesNotExist("no account " + kid);
            }
            account = accounts.find(kid.substring(accountUrlPrefix.length()))
                    .orElseThrow(() -> AcmeProblem.accountDoesNotExist("no account " + kid));
            if (account.status() != AcmeAccount.Status.VALID) {
                throw AcmeProblem.unauthorized(
                        "account " + account.id() + " is " + account.status().text());
            }
            try {
                key = JWK.parse(account.jwk());
            } catch (ParseException e) {
                throw new IllegalStateException("stored account key unreadable", e);
            }
        }
        if (key.isPrivate()) {
            throw AcmeProblem.malformed("the jwk must be a public key");
        }
        if (!Jose.verify(jws, key)) {
            throw AcmeProblem.unauthorized(
                    "the JWS signature does not verify with " + (kid != null ? "the account key" : "the jwk"));
        }
        Object nonce = header.getCustomParam("nonce");
        if (!(nonce instanceof String n) || !nonces.use(n)) {
            throw AcmeProblem.badNonce("the nonce is missing, used already or unknown: get a new one and retry");
        }
        String text = jws.payloadText();
        return new AcmeRequest(key, account, text.isEmpty() ? null : Jose.json(text), text, jws);
    }
}
