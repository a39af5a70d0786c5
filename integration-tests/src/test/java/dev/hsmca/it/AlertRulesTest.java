package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.Shell;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped alert rules load in Prometheus and their unit tests (one per rule) pass. */
class AlertRulesTest {
    static final Path RULES = Path.of(System.getProperty("repo.root", "..")).resolve("ansible/files/prometheus");

    @Test
    void rulesCheckAndTheirUnitTestsPass() {
        Shell.Result check = Shell.exec(RULES, "promtool", "check", "rules", "pki-alerts.yml");
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("SUCCESS: 16 rules found"), check.output());
        Shell.Result test = Shell.exec(RULES, "promtool", "test", "rules", "pki-alerts.test.yml");
        assertEquals(0, test.exit(), test.output());
        assertTrue(test.output().contains("SUCCESS"), test.output());
    }
}
