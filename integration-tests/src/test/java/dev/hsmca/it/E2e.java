package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Shared steps of the end-to-end tests. */
final class E2e {
    private E2e() {}

    /** The appliance's database settings only: a responder started with these has no HSM configuration at all. */
    static Map<String, String> databaseOnly(TestAppliance app) {
        Map<String, String> shared = new HashMap<>();
        app.shared().forEach((k, v) -> {
            if (k.startsWith("datasources.")) {
                shared.put(k, v);
            }
        });
        return shared;
    }

    /**
     * The server's properties, naming this responder in the certificates it issues. The responder binds a port the
     * kernel picks, so a test class starts it before its server (from getProperties, after ca init, whose store it
     * reads). The CA's own certificates, made at init, keep the default URLs: no test follows them (clients check the
     * leaf's revocation only).
     */
    static Map<String, String> withOcspUrl(TestAppliance app, ResponderProcess responder) {
        Map<String, String> properties = new HashMap<>(app.properties());
        properties.put("pki.urls.ocsp", responder.url());
        return properties;
    }

    /** A folder with root.pem, issuing.pem and leaf.pem, a certificate the admin issued; returns its serial. */
    static String issueLeaf(TestAppliance app, int port, Path dir) throws Exception {
        Files.copy(app.rootPem(), dir.resolve("root.pem"));
        Files.copy(app.issuingPem(), dir.resolve("issuing.pem"));
        Api admin = new Api(app.adminSsl(), port);
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates",
                Map.of(
                        "csr",
                        Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com"),
                        "profile",
                        "tls-server"));
        assertEquals(201, r.statusCode(), r.body());
        Api.write(dir.resolve("leaf.pem"), (String) Api.parse(r).get("certificate_pem"));
        return (String) Api.parse(r).get("serial");
    }

    /** The real openssl OCSP client against a responder, trusting only the root. */
    static Shell.Result ocsp(Path dir, String url, String... extra) {
        List<String> cmd = new ArrayList<>(
                List.of("openssl", "ocsp", "-issuer", "issuing.pem", "-url", url, "-CAfile", "root.pem", "-resp_text"));
        cmd.addAll(List.of(extra));
        return Shell.exec(dir, cmd.toArray(String[]::new));
    }

    /** The DER inside a PEM file's text (one object). */
    static byte[] pemDer(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    /** Certificates in the appliance's store, read straight from its database. */
    static long certificateCount(TestAppliance app) throws Exception {
        Map<String, String> p = app.properties();
        try (Connection c = DriverManager.getConnection(
                        p.get("datasources.default.url"),
                        p.getOrDefault("datasources.default.username", ""),
                        p.getOrDefault("datasources.default.password", ""));
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM certificates")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
