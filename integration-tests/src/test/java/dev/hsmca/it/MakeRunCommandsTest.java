package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The operator's documented local commands ({@code bin/appliance audit verify}, {@code ca status}) on the state
 * {@code make run} made, from the folder above it: while it runs (its PostgreSQL is up) and after it stopped (the
 * command starts that PostgreSQL for itself and stops it again). Never the default H2 store beside it.
 */
class MakeRunCommandsTest {
    static final Path REPO = MakeRunStressTest.REPO;

    static Shell.Result appliance(Path var, String... args) {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "env";
        cmd[1] = "-u";
        cmd[2] = "SOFTHSM2_CONF";
        cmd[3] = "PKI_VAR=" + var;
        cmd[4] = REPO.resolve("bin/appliance").toString();
        System.arraycopy(args, 0, cmd, 5, args.length);
        return Shell.exec(var.getParent(), cmd);
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void localCommandsWorkOnMakeRunsState() throws Exception {
        Path var = Files.createTempDirectory("hsmca-checkout").resolve("var");
        Files.createDirectories(var);
        Process run = MakeRunStressTest.start(var, Ports.fixed()); // the responder's port is fixed: see Ports
        try {
            int port = MakeRunStressTest.awaitHealthy(run, var);
            String csr = Openssl.keyAndCsr(var.getParent(), "leaf", "leaf.example.com", "DNS:leaf.example.com");
            Api admin = new Api(MakeRunStressTest.admin(var), port);
            assertEquals(
                    201,
                    admin.postJson("/api/v1/certificates", Api.issueBody(csr, "tls-server", 30))
                            .statusCode());

            Shell.Result live = appliance(var, "audit", "verify");
            assertEquals(0, live.exit(), live.output());
            assertTrue(live.output().contains("audit log intact"), live.output());
            Shell.Result status = appliance(var, "ca", "status");
            assertEquals(0, status.exit(), status.output());
            assertTrue(status.output().contains("issuing"), status.output());
        } finally {
            MakeRunStressTest.stopGroup(run);
        }

        Shell.Result after = appliance(var, "audit", "verify");
        assertEquals(0, after.exit(), after.output());
        assertTrue(
                after.output()
                        .matches("(?s).*audit log intact: [1-9][0-9]* entries verified; anchored at entry [1-9].*"),
                after.output());
        int pgPort = Integer.parseInt(Files.readString(var.resolve("pg/port")).trim());
        assertThrows(
                IOException.class,
                () -> new Socket("127.0.0.1", pgPort).close(),
                "the command stops the PostgreSQL it started");
        assertFalse(Files.exists(var.resolve("db")), "the default H2 store was opened beside make run's state");
    }
}
