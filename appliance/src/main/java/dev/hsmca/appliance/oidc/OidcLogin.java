package dev.hsmca.appliance.oidc;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.hsmca.appliance.domain.Operator;
import dev.hsmca.appliance.domain.PkiException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * The console's sign-in through a trusted OIDC issuer: the authorization code flow with PKCE (RFC 7636, S256), a
 * state and a nonce per sign-in. Its three requests (discovery, the browser's redirect, the code's exchange) are
 * written here rather than with an OAuth library: the ID token is verified by the same verifier and rules as any
 * bearer token ({@link OidcAuthenticator#login}).
 */
@Singleton
public class OidcLogin {
    /** What a sign-in needs to remember until the issuer sends the browser back. */
    public record Start(URI authorization, String state, String nonce, String verifier) {}

    static final int TIMEOUT_MILLIS = 5_000;
    static final int MAX_ANSWER = 64 * 1024;

    private final ConsoleLoginConfig config;
    private final OidcAuthenticator authenticator;
    private final OidcIssuerConfig issuer;
    private final SSLSocketFactory sockets;
    private final SecureRandom random = new SecureRandom();
    private volatile Map<String, Object> discovery;
    private volatile long discoveredAt;
    private volatile long discoveryFailedAt;

    /** The discovery document is read again after this (endpoints move); a failure is not retried sooner than 5 s. */
    static final long DISCOVERY_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(15);

    static final long RETRY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    public OidcLogin(ConsoleLoginConfig config, List<OidcIssuerConfig> issuers, OidcAuthenticator authenticator) {
        this.config = config;
        this.authenticator = authenticator;
        if (config.issuer() == null || config.issuer().isBlank()) {
            this.issuer = null;
            this.sockets = null;
            return;
        }
        this.issuer = issuers.stream()
                .filter(i -> i.name().equals(config.issuer()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(
                        "pki.console.oidc.issuer: no pki.oidc.issuers." + config.issuer() + " is configured"));
        if (config.clientId() == null || !config.clientId().equals(issuer.audience())) {
            throw new IllegalStateException("pki.console.oidc.client-id must be set to pki.oidc.issuers."
                    + issuer.name() + ".audience (the ID token's audience is the client)");
        }
        if (config.redirectUri() != null && !config.redirectUri().startsWith("https://")) {
            throw new IllegalStateException("pki.console.oidc.redirect-uri must be an https URL");
        }
        this.sockets = TrustFiles.socketFactory(issuer.caFile());
    }

    public boolean enabled() {
        return issuer != null;
    }

    /** The issuer's name, for the sign-in page. */
    public String issuerName() {
        return issuer == null ? "" : issuer.name();
    }

    /** Whether a redirect URI is configured (else it is made from the Host, which the caller must check). */
    public boolean redirectConfigured() {
        return config.redirectUri() != null;
    }

    /** The redirect URI: configured, or this appliance's own as the browser reached it. */
    public String redirectUri(String host) {
        return config.redirectUri() != null ? config.redirectUri() : "https://" + host + "/ui/oidc/callback";
    }

    /** A new sign-in: where to send the browser, and what to remember (state, nonce, PKCE verifier). */
    public Start start(String redirectUri) {
        String state = randomText();
        String nonce = randomText();
        String verifier = randomText();
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", "openid profile");
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        String endpoint = endpoint("authorization_endpoint");
        return new Start(
                URI.create(endpoint + (endpoint.contains("?") ? "&" : "?") + form(query)), state, nonce, verifier);
    }

    /** The code exchanged (with the verifier) for an ID token, verified for this sign-in and mapped by the rules. */
    public Operator finish(String code, String verifier, String nonce, String redirectUri) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", redirectUri);
        body.put("client_id", config.clientId());
        body.put("code_verifier", verifier);
        Map<String, Object> answer;
        try {
            answer = JSONObjectUtils.parse(post(endpoint("token_endpoint"), form(body)));
        } catch (Refused e) {
            throw PkiException.unauthorized("oidc_login_failed", "the issuer refused the sign-in's code");
        } catch (IOException | ParseException e) {
            throw PkiException.unavailable(
                    "oidc_unavailable", "the issuer " + issuer.name() + " did not exchange the code; try again");
        }
        if (!(answer.get("id_token") instanceof String idToken)) {
            throw PkiException.unauthorized("oidc_login_failed", "the issuer refused the sign-in");
        }
        return authenticator.login(idToken, nonce, issuer.name(), config.clientId());
    }

    private String endpoint(String name) {
        Map<String, Object> d = discovery;
        if (d == null || System.nanoTime() - discoveredAt > DISCOVERY_NANOS) {
            if (discoveryFailedAt != 0 && System.nanoTime() - discoveryFailedAt < RETRY_NANOS) {
                throw PkiException.unavailable(
                        "oidc_unavailable", "the issuer " + issuer.name() + " could not be reached a moment ago");
            }
            try {
                d = JSONObjectUtils.parse(
                        get(issuer.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration"));
            } catch (IOException | ParseException e) {
                discoveryFailedAt = System.nanoTime();
                throw PkiException.unavailable(
                        "oidc_unavailable", "the discovery document of " + issuer.name() + " could not be read");
            }
            if (!issuer.issuer().equals(d.get("issuer"))) {
                discoveryFailedAt = System.nanoTime();
                throw PkiException.unavailable("oidc_unavailable", "the discovery document names another issuer");
            }
            discovery = d;
            discoveredAt = System.nanoTime();
            discoveryFailedAt = 0;
        }
        if (!(d.get(name) instanceof String url) || !TrustedIssuer.fetchable(url)) {
            throw PkiException.unavailable("oidc_unavailable", issuer.name() + " has no usable " + name);
        }
        return url;
    }

    private String get(String url) throws IOException {
        HttpURLConnection c = open(url);
        return read(c);
    }

    private String post(String url, String form) throws IOException {
        HttpURLConnection c = open(url);
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        if (config.clientSecret() != null && !config.clientSecret().isEmpty()) {
            String basic = URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(config.clientSecret(), StandardCharsets.UTF_8);
            c.setRequestProperty(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        try (OutputStream out = c.getOutputStream()) {
            out.write(form.getBytes(StandardCharsets.UTF_8));
        }
        return read(c);
    }

    private HttpURLConnection open(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        if (c instanceof HttpsURLConnection https && sockets != null) {
            https.setSSLSocketFactory(sockets);
        }
        c.setConnectTimeout(TIMEOUT_MILLIS);
        c.setReadTimeout(TIMEOUT_MILLIS);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Accept", "application/json");
        return c;
    }

    private static String read(HttpURLConnection c) throws IOException {
        int status = c.getResponseCode();
        try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
            byte[] body = in == null ? new byte[0] : in.readNBytes(MAX_ANSWER + 1);
            if (body.length > MAX_ANSWER) {
                throw new IOException("the issuer's answer is too large");
            }
            if (status >= 400 && status < 500) {
                throw new Refused(status);
            }
            if (status != 200) {
                throw new IOException("the issuer answered HTTP " + status);
            }
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The issuer answered 4xx: it refuses (a used or made-up code), it is not down. */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(int status) {
            super("the issuer answered HTTP " + status);
        }
    }

    private String randomText() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
