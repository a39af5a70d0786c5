package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.client.agent.PkiAgent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pki-agent}'s commands against a fake CA: what they print, what they leave in the folder, their exit codes. */
class PkiAgentTest {
    final FakeCa fake = new FakeCa(new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS)));

    @TempDir
    Path dir;

    Path out;
    Path root;
    Path token;

    record Run(int exit, String out, String err) {}

    @BeforeEach
    void files() throws Exception {
        out = dir.resolve("svc");
        root = Files.writeString(dir.resolve("root.pem"), fake.ca.rootPem());
        token = Files.writeString(dir.resolve("token"), "hct_agent\n");
        fake.tokens.add("hct_agent");
    }

    @AfterEach
    void close() {
        fake.close();
    }

    static Run agent(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = PkiAgent.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(exit, out.toString(), err.toString());
    }

    Run enroll(String... more) {
        List<String> args = new ArrayList<>(List.of(
                "enroll",
                "--ca-url",
                fake.url(),
                "--root",
                root.toString(),
                "--out",
                out.toString(),
                "--token-file",
                token.toString(),
                "--name",
                "svc.internal"));
        args.addAll(List.of(more));
        return agent(args.toArray(String[]::new));
    }

    Map<String, Object> info() {
        Run info = agent("info", "--out", out.toString(), "--json");
        return Json.object(info.out());
    }

    @Test
    void enrollsOnceAndLaterCommandsNeedOnlyTheFolder() {
        Run enrolled = enroll("--validity", "1h");
        assertEquals(0, enrolled.exit(), enrolled.err());
        String serial = new FileStore(out).load().orElseThrow().serial();
        assertTrue(enrolled.out().startsWith("enrolled: serial " + serial + ", valid until "), enrolled.out());
        assertTrue(enrolled.out().trim().endsWith("files in " + out.toAbsolutePath()), enrolled.out());
        assertEquals("1h", fake.seen("/api/v1/certificates").get(0).json().get("validity"));

        Run again = enroll();
        assertEquals(0, again.exit());
        assertTrue(again.out().startsWith("already enrolled: " + serial), again.out());
        assertEquals(1, fake.seen("/api/v1/certificates").size(), "no second enrollment");

        Map<String, Object> info = info();
        assertEquals(serial, info.get("serial"));
        assertEquals("valid", info.get("status"));
        assertEquals(false, info.get("renew_now"));
        assertEquals(out.toAbsolutePath().toString(), info.get("files"));
        assertTrue(((Number) info.get("seconds_until_expiry")).longValue() > 0);
    }

    @Test
    void infoPrintsAlignedLinesAndSaysWhenTheCaCannotBeReached() {
        enroll();
        Run text = agent("info", "--out", out.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().lines().anyMatch(l -> l.matches("serial {15}[0-9a-f]+")), text.out());
        fake.close();
        Map<String, Object> info = info();
        assertEquals("valid", info.get("status"), "the certificate in the folder is still valid");
        assertTrue(String.valueOf(info.get("ca")).startsWith("unreachable: the CA at " + fake.url()), info.toString());
    }

    @Test
    void aRevokedCertificateExitsOne() {
        enroll();
        fake.revoked.add(new FileStore(out).load().orElseThrow().serialNumber());
        Run info = agent("info", "--out", out.toString(), "--json");
        assertEquals(1, info.exit());
        assertEquals("revoked", Json.object(info.out()).get("status"));
    }

    @Test
    void renewsOnlyWhenDueOrForced() throws Exception {
        enroll();
        String first = new FileStore(out).load().orElseThrow().serial();
        Run notDue = agent("renew", "--out", out.toString());
        assertEquals(0, notDue.exit(), notDue.err());
        assertTrue(notDue.out().startsWith("not due: " + first + " renews after "), notDue.out());
        assertTrue(fake.seen("/api/v1/certificates/renew").isEmpty());

        Path marker = dir.resolve("reloaded");
        Run forced = agent("renew", "--out", out.toString(), "--force", "--exec", "touch '" + marker + "'");
        assertEquals(0, forced.exit(), forced.err());
        String second = new FileStore(out).load().orElseThrow().serial();
        assertFalse(first.equals(second));
        assertTrue(forced.out().startsWith("renewed: serial " + second + ", valid until "), forced.out());
        assertTrue(Files.exists(marker), "the reload command ran after the renewal");
    }

    @Test
    void theSignalGoesToTheProcessInThePidFile() throws Exception {
        enroll();
        Path pidFile =
                Files.writeString(dir.resolve("pid"), ProcessHandle.current().pid() + "\n");
        Run signalled =
                agent("renew", "--out", out.toString(), "--force", "--signal", "0", "--pid-file", pidFile.toString());
        assertEquals(0, signalled.exit(), signalled.err());
        Run noProcess = agent("renew", "--out", out.toString(), "--force", "--signal", "0", "--pid", "999999999");
        assertEquals(1, noProcess.exit());
        assertTrue(noProcess.err().startsWith("pki-agent: cannot send SIG0 to 999999999"), noProcess.err());
    }

    @Test
    void aFailingReloadCommandExitsOneAfterTheRenewal() {
        enroll();
        String first = new FileStore(out).load().orElseThrow().serial();
        Run r = agent("renew", "--out", out.toString(), "--force", "--exec", "exit 3");
        assertEquals(1, r.exit());
        assertEquals("pki-agent: 'exit 3' exited with 3\n", r.err());
        assertFalse(
                first.equals(new FileStore(out).load().orElseThrow().serial()),
                "the certificate was renewed all the same");
    }

    @Test
    void theDaemonStopsWhenTheCertificateIsRevoked() throws Exception {
        enroll();
        fake.revoked.add(new FileStore(out).load().orElseThrow().serialNumber());
        Run daemon = CompletableFuture.supplyAsync(() -> agent("renew", "--out", out.toString(), "--daemon"))
                .get(2, TimeUnit.MINUTES); // only a hang fails here
        assertEquals(1, daemon.exit());
        assertTrue(daemon.out().startsWith("watching " + out), daemon.out());
        assertTrue(daemon.err().contains("is revoked; enroll again with a new install token"), daemon.err());
    }

    @Test
    void registersTheService() {
        enroll();
        Run r = agent(
                "register", "--out", out.toString(), "--service", "svc", "--endpoint", "https://svc.internal:443");
        assertEquals(0, r.exit(), r.err());
        assertEquals("registered: svc\n", r.out());
        assertEquals(
                List.of("https://svc.internal:443"),
                fake.seen("/api/v1/services").get(0).json().get("endpoints"));
    }

    @Test
    void anEnrollmentKeyFileEnrollsAgainAndAgain() throws Exception {
        fake.enrollKeys.add("hek_0123456789abcdef_key");
        Path key = Files.writeString(dir.resolve("enroll-key"), "hek_0123456789abcdef_key\n");
        List<String> args = List.of(
                "enroll",
                "--ca-url",
                fake.url(),
                "--root",
                root.toString(),
                "--out",
                out.toString(),
                "--enroll-key-file",
                key.toString(),
                "--name",
                "svc.internal");
        Run first = agent(args.toArray(String[]::new));
        assertEquals(0, first.exit(), first.err());
        List<String> again = new ArrayList<>(args);
        again.add("--force");
        Run second = agent(again.toArray(String[]::new)); // a container started fresh: the same key again
        assertEquals(0, second.exit(), second.err());
        assertEquals(2, fake.seen("/api/v1/certificates").size());
        assertEquals(
                "Bearer hek_0123456789abcdef_key",
                fake.seen("/api/v1/certificates").get(1).headers().get("authorization"));

        Files.writeString(key, "hct_agent\n");
        Run wrong = agent(again.toArray(String[]::new));
        assertEquals(1, wrong.exit());
        assertTrue(wrong.err().contains("does not hold an enrollment key (hek_...)"), wrong.err());
        List<String> both = new ArrayList<>(again);
        both.addAll(List.of("--token-file", token.toString()));
        assertEquals(2, agent(both.toArray(String[]::new)).exit(), "a token and a key: a usage error");
    }

    @Test
    void theCasRefusalIsOneLineAndExitOne() throws Exception {
        Files.writeString(token, "hct_wrong");
        Run r = enroll();
        assertEquals(1, r.exit());
        assertEquals("pki-agent: the CA refused (token_invalid): not a token this CA made\n", r.err());
        assertTrue(new FileStore(out).load().isEmpty());
    }

    @Test
    void notEnrolledIsOneLineAndExitOne() {
        Run info = agent("info", "--out", out.toString());
        assertEquals(1, info.exit());
        assertEquals("pki-agent: no certificate in " + out + ": run 'pki-agent enroll' first\n", info.err());
        Run renew = agent("renew", "--out", out.toString(), "--ca-url", fake.url(), "--root", root.toString());
        assertEquals(1, renew.exit());
        assertTrue(renew.err().contains("run 'pki-agent enroll' first"), renew.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(
                2,
                agent(
                                "enroll",
                                "--ca-url",
                                fake.url(),
                                "--root",
                                root.toString(),
                                "--token-file",
                                token.toString(),
                                "--name",
                                "a")
                        .exit(),
                "no --out");
        assertEquals(
                2,
                agent(
                                "enroll",
                                "--out",
                                out.toString(),
                                "--root",
                                root.toString(),
                                "--token-file",
                                token.toString(),
                                "--name",
                                "a")
                        .exit(),
                "no --ca-url");
        assertEquals(
                2,
                agent(
                                "enroll",
                                "--out",
                                out.toString(),
                                "--ca-url",
                                fake.url(),
                                "--token-file",
                                token.toString(),
                                "--name",
                                "a")
                        .exit(),
                "no --root");
        assertEquals(
                2,
                agent("enroll", "--out", out.toString(), "--ca-url", fake.url(), "--root", root.toString())
                        .exit(),
                "no --name");
        assertEquals(2, agent("nonsense").exit());
        enroll();
        assertEquals(
                2, agent("renew", "--out", out.toString(), "--signal", "HUP").exit(), "a signal for no process");
        assertEquals(2, agent("renew", "--out", out.toString(), "--poll", "5x").exit(), "not a duration");
        Run keyType = enroll("--key-type", "dsa-1024", "--force");
        assertEquals(1, keyType.exit());
        assertTrue(keyType.err().contains("key type must be ec-p256, rsa-2048 or rsa-3072"), keyType.err());
    }

    @Test
    void withoutACommandItPrintsItsUsage() {
        Run r = agent();
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("Usage: pki-agent"), r.out());
    }

    @Test
    void aClosedPortIsOneLine() throws Exception {
        try (ClosedPort port = new ClosedPort()) { // bound, never listening: refused, and nobody else's meanwhile
            int closed = port.port();
            Run r = agent(
                    "enroll",
                    "--ca-url",
                    "https://localhost:" + closed,
                    "--root",
                    root.toString(),
                    "--out",
                    out.toString(),
                    "--token-file",
                    token.toString(),
                    "--name",
                    "a.internal");
            assertEquals(1, r.exit());
            assertTrue(
                    r.err().startsWith("pki-agent: the CA at https://localhost:" + closed + " is unreachable: "),
                    r.err());
            assertEquals(1, r.err().lines().count());
        }
    }
}
