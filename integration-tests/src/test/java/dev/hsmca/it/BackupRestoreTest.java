package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.testing.TestDatabases;
import dev.hsmca.hsm.testing.Shell;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * scripts/ca-backup.sh and ca-restore.sh as an operator runs them: a CA on PostgreSQL is backed up (token, database,
 * state folder), restored onto a "fresh host" (an empty HSM folder, an empty database, an empty state folder), and
 * the restored appliance issues, while the responder on the restored database answers for certificates issued
 * and revoked before the backup.
 */
class BackupRestoreTest {
    static final Path REPO = Agent.REPO;

    static String pgUrl(String jdbc) {
        return jdbc.replaceFirst("^jdbc:", "").replaceFirst("\\?.*$", "");
    }

    static String issue(Api admin, Path dir, String name) throws Exception {
        HttpResponse<String> r = admin.postJson(
                "/api/v1/certificates",
                Map.of("csr", Openssl.keyAndCsr(dir, name, name, "DNS:" + name), "profile", "tls-server"));
        assertEquals(201, r.statusCode(), r.body());
        Api.write(dir.resolve(name + ".pem"), (String) Api.parse(r).get("certificate_pem"));
        return (String) Api.parse(r).get("serial");
    }

    static String ocsp(Path dir, ResponderProcess responder, String name) {
        return E2e.ocsp(dir, responder.url(), "-cert", name + ".pem").output();
    }

    @Test
    void aRestoredCaIssuesAndItsResponderKnowsTheOldCertificates() throws Exception {
        TestAppliance app = TestAppliance.postgres().initialize();
        Path dir = Files.createTempDirectory(app.dir(), "certs");
        Files.copy(app.rootPem(), dir.resolve("root.pem"));
        Files.copy(app.issuingPem(), dir.resolve("issuing.pem"));
        Path password = dir.resolve("db.password");
        Files.writeString(password, "unused-with-trust-auth\n");

        try (ApplianceProcess before = ApplianceProcess.start(app, Map.of())) {
            assertTrue(before.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), before.log());
            Api admin = new Api(app.adminSsl(), before.port());
            issue(admin, dir, "kept.example.test");
            String revoked = issue(admin, dir, "revoked.example.test");
            assertEquals(
                    200,
                    admin.postJson("/api/v1/certificates/" + revoked + "/revoke", Map.of("reason", "keyCompromise"))
                            .statusCode());
        }

        String oldDb = app.properties().get("datasources.default.url");
        Path archive = dir.resolve("ca-backup.tar");
        // as a deployment has it: the token's folder, with its PIN file, inside the state folder
        Files.createDirectories(app.dir().resolve("hsm"));
        Files.writeString(app.dir().resolve("hsm/pki-ca.pin"), "123456\n");
        Shell.Result backup = Shell.exec(
                REPO,
                REPO.resolve("scripts/ca-backup.sh").toString(),
                "--state-dir",
                app.dir().toString(),
                "--hsm-dir",
                app.token().hsmDir().toString(),
                "--label",
                app.token().label(),
                "--db-url",
                pgUrl(oldDb),
                "--db-user",
                "pki",
                "--db-password-file",
                password.toString(),
                "--out",
                archive.toString());
        assertEquals(0, backup.exit(), backup.output());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(archive)));
        String archived = Shell.exec(dir, "sh", "-c", "tar -xOf " + archive + " state.tar.gz | tar -tzf -")
                .ok()
                .output();
        assertTrue(archived.contains("./admin/admin.crt.pem") && archived.contains("./audit/anchor"), archived);
        for (String secret : new String[] {".p12", ".pass", ".key.pem", ".pin"}) {
            assertFalse(archived.contains(secret), "a secret in clear in the backup (" + secret + "): " + archived);
        }

        // the fresh host: nothing but the archive and, kept apart, the PIN
        Path host = Files.createTempDirectory("fresh-host");
        Path hsm = host.resolve("hsm");
        Path state = host.resolve("state");
        TestDatabases.Database db = TestDatabases.freshPostgres();
        String[] restore = {
            REPO.resolve("scripts/ca-restore.sh").toString(),
            "--archive",
            archive.toString(),
            "--state-dir",
            state.toString(),
            "--hsm-dir",
            hsm.toString(),
            "--db-url",
            pgUrl(db.url()),
            "--db-user",
            "pki",
            "--db-password-file",
            password.toString()
        };
        Shell.Result restored = Shell.exec(REPO, restore);
        assertEquals(0, restored.exit(), restored.output());
        Files.copy(app.token().pinFile(), hsm.resolve(app.token().label() + ".pin"));
        assertArrayEquals(Files.readAllBytes(app.rootPem()), Files.readAllBytes(state.resolve("ca/root.pem")));
        Shell.Result again = Shell.exec(REPO, restore);
        assertEquals(2, again.exit(), "never over an existing CA without --force: " + again.output());

        Map<String, String> fresh = new HashMap<>(db.properties());
        fresh.put("pki.hsm.pin-file", hsm.resolve(app.token().label() + ".pin").toString());
        fresh.put("pki.ca.output-dir", state.resolve("ca").toString());
        fresh.put("pki.ca.admin-dir", state.resolve("admin").toString());
        fresh.put("pki.crl.work-dir", state.resolve("crl").toString());
        fresh.put("pki.audit.anchor-file", state.resolve("audit/anchor").toString());
        try (ApplianceProcess after = ApplianceProcess.start(
                        app,
                        fresh,
                        Map.of("SOFTHSM2_CONF", hsm.resolve("softhsm2.conf").toString()));
                ResponderProcess responder = ResponderProcess.start(db.properties(), false)) {
            assertTrue(after.awaitHealthy(app.anonymousSsl(), ApplianceProcess.START), after.log());
            assertTrue(after.log().contains("audit log matches its anchor"), after.log());
            issue(new Api(app.adminSsl(), after.port()), dir, "new.example.test");

            String kept = ocsp(dir, responder, "kept.example.test");
            assertTrue(kept.contains("kept.example.test.pem: good"), kept);
            String gone = ocsp(dir, responder, "revoked.example.test");
            assertTrue(gone.contains("revoked.example.test.pem: revoked"), gone);
            String fresh2 = ocsp(dir, responder, "new.example.test");
            assertTrue(fresh2.contains("new.example.test.pem: good"), fresh2);
        }
    }
}
