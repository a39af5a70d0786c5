package dev.hsmca.appliance.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.cli.Cli;
import dev.hsmca.appliance.crl.CrlService;
import dev.hsmca.appliance.store.CrlRepository;
import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.core.CaRole;
import dev.hsmca.hsm.KeyBackend;
import dev.hsmca.hsm.testing.Shell;
import dev.hsmca.hsm.testing.TestHsm;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The key ceremony with the root kept offline: the root made in an offline token by a context with no database,
 * the issuing CA's key made in the appliance's token and signed at the ceremony, the root's CRL imported. The
 * appliance then runs and issues with no root key in its HSM, and openssl verifies a leaf with both CRLs.
 */
class OfflineRootTest {
    static final TestHsm.Token OFFLINE = TestHsm.newToken("offline");
    static final TestAppliance APP = TestAppliance.h2();

    record Run(int exit, String out) {}

    static Run cli(ApplicationContext context, String... args) {
        StringWriter out = new StringWriter();
        int exit = Cli.run(context, new PrintWriter(out, true), new PrintWriter(out, true), args);
        return new Run(exit, out.toString());
    }

    /** The ceremony host: the offline token, no datasource settings at all. */
    static ApplicationContext ceremony() {
        return ApplicationContext.builder()
                .properties(Map.of(
                        "pki.hsm.token-label",
                        OFFLINE.label(),
                        "pki.hsm.pin-file",
                        OFFLINE.pinFile().toString(),
                        "pki.ca.name",
                        APP.properties().getOrDefault("pki.ca.name", "Dev")))
                .environments("cli")
                .start();
    }

    @Test
    void theApplianceRunsWithoutTheRootKey() throws Exception {
        Path dir = Files.createTempDirectory(APP.dir(), "ceremony");
        Path root = dir.resolve("root.pem");
        try (ApplicationContext offline = ceremony()) {
            Run r = cli(offline, "ca", "ceremony", "root", "--out", root.toString());
            assertEquals(0, r.exit(), r.out());
            assertEquals(
                    2,
                    cli(
                                    offline,
                                    "ca",
                                    "ceremony",
                                    "root",
                                    "--out",
                                    dir.resolve("again.pem").toString())
                            .exit(),
                    "one root per offline token");
        }

        Path csr = APP.dir().resolve("ca/issuing.csr");
        try (ApplicationContext appliance = APP.context()) {
            Run step1 = cli(appliance, "ca", "init", "--offline-root", "--root-cert", root.toString());
            assertEquals(0, step1.exit(), step1.out());
            assertTrue(Files.exists(csr), step1.out());
            assertEquals(
                    2,
                    cli(
                                    appliance,
                                    "ca",
                                    "init",
                                    "--offline-root",
                                    "--root-cert",
                                    root.toString(),
                                    "--issuing-cert",
                                    root.toString())
                            .exit(),
                    "--issuing-cert without --root-crl");
        }

        Path issuing = dir.resolve("issuing.pem");
        Path rootCrl = dir.resolve("root.crl");
        try (ApplicationContext offline = ceremony()) {
            Run signed = cli(
                    offline,
                    "ca",
                    "ceremony",
                    "sign-issuing",
                    "--csr",
                    csr.toString(),
                    "--root-cert",
                    root.toString(),
                    "--out",
                    issuing.toString());
            assertEquals(0, signed.exit(), signed.out());
            Run crl = cli(
                    offline, "ca", "ceremony", "root-crl", "--root-cert", root.toString(), "--out", rootCrl.toString());
            assertEquals(0, crl.exit(), crl.out());
        }

        try (ApplicationContext appliance = APP.context()) {
            // the root's own certificate is no issuing certificate for this HSM's key: refused, nothing stored
            Run wrong = cli(
                    appliance,
                    "ca",
                    "init",
                    "--offline-root",
                    "--root-cert",
                    root.toString(),
                    "--issuing-cert",
                    root.toString(),
                    "--root-crl",
                    rootCrl.toString());
            assertEquals(2, wrong.exit(), wrong.out());
            Run done = cli(
                    appliance,
                    "ca",
                    "init",
                    "--offline-root",
                    "--root-cert",
                    root.toString(),
                    "--issuing-cert",
                    issuing.toString(),
                    "--root-crl",
                    rootCrl.toString());
            assertEquals(0, done.exit(), done.out());
            CaHierarchy ca = appliance.getBean(CaHierarchy.class);
            assertTrue(ca.initialized());
            assertTrue(ca.root().offline());
            assertEquals(
                    2,
                    cli(appliance, "crl", "import", "--root-crl", rootCrl.toString())
                            .exit(),
                    "the same CRL number again is refused");
            assertFalse(
                    appliance.getBean(KeyBackend.class).hasKey(CaRole.ROOT.alias()),
                    "no root key in the appliance's HSM");
        }

        Map<String, Object> props = new HashMap<>(APP.properties());
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            Api admin = new Api(APP.adminSsl(), server.getPort());
            assertEquals(
                    200,
                    new Api(APP.anonymousSsl(), server.getPort()).get("/health").statusCode(),
                    "healthy: the HSM probe signs with the issuing key");
            HttpResponse<String> r = admin.postJson(
                    "/api/v1/certificates",
                    Map.of(
                            "csr",
                            Openssl.keyAndCsr(dir, "leaf", "leaf.example.test", "DNS:leaf.example.test"),
                            "profile",
                            "tls-server"));
            assertEquals(201, r.statusCode(), r.body());
            Api.write(dir.resolve("leaf.pem"), (String) Api.parse(r).get("certificate_pem"));

            CaHierarchy ca = server.getApplicationContext().getBean(CaHierarchy.class);
            CrlRepository crls = server.getApplicationContext().getBean(CrlRepository.class);
            Files.write(
                    dir.resolve("root-stored.crl"),
                    crls.latest(ca.root().id()).orElseThrow().crlDer());
            Files.write(
                    dir.resolve("issuing.crl"),
                    crls.latest(ca.issuing().id()).orElseThrow().crlDer());
            Files.copy(APP.issuingPem(), dir.resolve("issuing-ca.pem"));
            Shell.Result verify = Shell.exec(
                    dir,
                    "openssl",
                    "verify",
                    "-crl_check_all",
                    "-CAfile",
                    root.toString(),
                    "-untrusted",
                    "issuing-ca.pem",
                    "-CRLfile",
                    "root-stored.crl",
                    "-CRLfile",
                    "issuing.crl",
                    "leaf.pem");
            assertEquals(0, verify.exit(), verify.output());
            assertTrue(verify.output().contains("leaf.pem: OK"), verify.output());
            assertTrue(
                    server.getApplicationContext()
                                    .getBean(CrlService.class)
                                    .generateAll("test")
                                    .size()
                            == 1,
                    "only the issuing CA's CRL is signed here");
        }
    }
}
