package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code make testssl} on a checkout where {@code make run} has run: its throwaway appliance keeps to its own temp
 * folder, so make run's state (here: an audit anchor of another HSM, which the throwaway appliance would call
 * TAMPERED and refuse to start on) neither stops it nor is touched. scripts/testssl.sh runs in a copy of the checkout's
 * layout, with a stand-in for testssl that only checks the appliance answers and reports no finding.
 */
class TestsslScriptTest {
    static final Path REPO =
            Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theThrowawayApplianceNeitherReadsNorWritesMakeRunsState() throws Exception {
        Path tree = Files.createTempDirectory("testssl-checkout");
        Files.createDirectories(tree.resolve("scripts"));
        Files.copy(REPO.resolve("scripts/testssl.sh"), tree.resolve("scripts/testssl.sh"));
        Files.createSymbolicLink(tree.resolve("scripts/deps.sh"), REPO.resolve("scripts/deps.sh"));
        Files.createSymbolicLink(tree.resolve("hsm-config"), REPO.resolve("hsm-config"));
        Files.createDirectories(tree.resolve("appliance/target"));
        Files.createSymbolicLink(
                tree.resolve("appliance/target")
                        .resolve(Path.of(ApplianceProcess.jar()).getFileName()),
                Path.of(ApplianceProcess.jar()));
        // make run's state: an anchor signed by another token
        Path anchor = tree.resolve("var/audit/anchor");
        Files.createDirectories(anchor.getParent());
        String planted = "hsmca audit anchor v1\nseq=42\nhash=" + "ab".repeat(32)
                + "\nat=2026-01-01T00:00:00Z\nsignature=AAAA\n";
        Files.writeString(anchor, planted);

        Path bin = Files.createDirectories(tree.resolve("stub-bin"));
        Path stub = bin.resolve("testssl");
        Files.writeString(stub, """
                #!/bin/sh
                # stand-in for testssl.sh: the target must answer; no finding
                json=""; target=""
                while [ $# -gt 0 ]; do
                  case "$1" in --jsonfile) json=$2; shift ;; *) target=$1 ;; esac
                  shift
                done
                curl -sk "https://$target/health" >/dev/null || { echo "stub: $target does not answer" >&2; exit 1; }
                echo '[]' >"$json"
                """);
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwx------"));

        Shell.Result run = Shell.exec(
                tree,
                "env",
                "PATH=" + bin + ":" + System.getenv("PATH"),
                tree.resolve("scripts/testssl.sh").toString());
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("testssl: no vulnerability"), run.output());
        assertEquals(planted, Files.readString(anchor), "make run's anchor was rewritten");
        try (Stream<Path> files = Files.walk(tree.resolve("var"))) {
            assertEquals(
                    List.of(tree.resolve("var"), anchor.getParent(), anchor),
                    files.sorted().toList(),
                    "nothing but make run writes var/");
        }
    }
}
