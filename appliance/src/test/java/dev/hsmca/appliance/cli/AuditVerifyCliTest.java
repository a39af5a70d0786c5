package dev.hsmca.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.ClosedPort;
import dev.hsmca.appliance.testing.TestAppliance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code audit verify} as the operator runs it (its own CLI context): a store or HSM it cannot open is reported as
 * such, exit 3, never as tampering or a broken log; only findings about the data exit 1.
 */
class AuditVerifyCliTest {
    static final TestAppliance APP = TestAppliance.h2();

    record Run(int exit, String out, String err) {}

    static Run verify(Map<String, String> overrides) {
        Map<String, Object> properties = new HashMap<>(APP.properties());
        properties.putAll(overrides);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cli.run(properties, new PrintWriter(out, true), new PrintWriter(err, true), "audit", "verify");
        return new Run(exit, out.toString(), err.toString());
    }

    static void notAVerdict(Run r) {
        assertEquals(Cli.EXIT_UNAVAILABLE, r.exit(), r.err());
        assertFalse(
                r.err().contains("TAMPERED")
                        || r.err().contains("BROKEN")
                        || r.err().contains("ROLLBACK"),
                r.err());
        assertTrue(r.err().contains("nothing was checked"), r.err());
    }

    @Test
    void whatCannotBeOpenedIsNeverReportedAsTampering() throws Exception {
        APP.initialize();
        Run intact = verify(Map.of());
        assertEquals(0, intact.exit(), intact.err());
        assertTrue(intact.out().contains("audit log intact"), intact.out());

        Run noStore;
        try (ClosedPort closed = new ClosedPort()) {
            noStore = verify(Map.of(
                    "datasources.default.url",
                    "jdbc:postgresql://127.0.0.1:" + closed.port() + "/pki",
                    "datasources.default.driver-class-name",
                    "org.postgresql.Driver",
                    "datasources.default.connection-timeout",
                    "1000"));
        }
        notAVerdict(noStore);
        assertTrue(noStore.err().contains("cannot open the store"), noStore.err());

        // the store opens, the HSM does not (another token's label): the anchor cannot be checked, it is not "TAMPERED"
        Run noHsm = verify(Map.of("pki.hsm.token-label", "no-such-token"));
        notAVerdict(noHsm);
        assertTrue(noHsm.err().contains("cannot open the HSM"), noHsm.err());

        Path anchor = APP.dir().resolve("audit/anchor");
        Files.writeString(anchor, Files.readString(anchor).replaceFirst("seq=\\d+", "seq=1"));
        Run edited = verify(Map.of());
        assertEquals(1, edited.exit(), edited.err());
        assertTrue(edited.err().contains("TAMPERED"), edited.err());
    }
}
