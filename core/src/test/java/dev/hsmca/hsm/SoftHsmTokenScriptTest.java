package dev.hsmca.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.hsm.testing.Shell;
import dev.hsmca.hsm.testing.TestHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * hsm-config/scripts/softhsm-token.sh as an operator runs it, in HSM folders of its own: create (PIN from stdin or a
 * file), reuse without --force, back up, restore (refused over an existing token), rotate the PIN. Every
 * pkcs11-tool and softhsm2-util it starts goes through a shim that records the arguments: no PIN is ever among them.
 */
class SoftHsmTokenScriptTest {
    static Path work;
    static Path argvLog;
    static Path shims;

    @BeforeAll
    static void shims() throws Exception {
        work = Files.createTempDirectory("hsm-script");
        argvLog = work.resolve("argv.log");
        shims = Files.createDirectories(work.resolve("bin"));
        for (String tool : List.of("pkcs11-tool", "softhsm2-util")) {
            String real = Shell.exec(null, "sh", "-c", "command -v " + tool)
                    .ok()
                    .output()
                    .trim();
            Path shim = shims.resolve(tool);
            Files.writeString(
                    shim, "#!/bin/sh\necho \"" + tool + " $*\" >> '" + argvLog + "'\nexec " + real + " \"$@\"\n");
            Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** Runs the script with the shims first on PATH and SOFTHSM2_CONF unset (the script sets its own). */
    static Shell.Result script(String stdin, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "env",
                "-u",
                "SOFTHSM2_CONF",
                "PATH=" + shims + ":" + System.getenv("PATH"),
                TestHsm.script().toString()));
        cmd.addAll(List.of(args));
        return Shell.exec(
                work, stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8), cmd.toArray(String[]::new));
    }

    /** The token's serial, and whether this PIN logs in, by pkcs11-tool itself (PIN through the environment). */
    static Shell.Result login(Path hsm, String label, String pin) {
        return Shell.exec(
                hsm,
                "env",
                "SOFTHSM2_CONF=" + hsm.resolve("softhsm2.conf"),
                "P=" + pin,
                "pkcs11-tool",
                "--module",
                TestHsm.LIBRARY,
                "--token-label",
                label,
                "--login",
                "--pin",
                "env:P",
                "--list-objects");
    }

    /**
     * Whether this PIN logs in to the token labelled exactly so (pkcs11-tool's --token-label would take the first
     * token whose label starts with it).
     */
    static Shell.Result loginExactly(Path hsm, String label, String pin) {
        String listing = Shell.exec(
                        hsm,
                        "env",
                        "SOFTHSM2_CONF=" + hsm.resolve("softhsm2.conf"),
                        "pkcs11-tool",
                        "--module",
                        TestHsm.LIBRARY,
                        "-L")
                .ok()
                .output();
        Matcher m = Pattern.compile("(?m)^Slot \\d+ \\((0x[0-9a-f]+)\\):.*\\n\\s*token label\\s*:\\s*(\\S+)\\s*$")
                .matcher(listing);
        String slot = null;
        while (m.find()) {
            if (m.group(2).equals(label)) {
                slot = m.group(1);
            }
        }
        assertNotNull(slot, label + " in " + listing);
        return Shell.exec(
                hsm,
                "env",
                "SOFTHSM2_CONF=" + hsm.resolve("softhsm2.conf"),
                "P=" + pin,
                "pkcs11-tool",
                "--module",
                TestHsm.LIBRARY,
                "--slot",
                slot,
                "--login",
                "--pin",
                "env:P",
                "--list-objects");
    }

    /**
     * A label that begins others' ("pki-ca" beside "pki-ca-1" ... "pki-ca-7", listed in the random order of their
     * slot ids): create and rotate-pin each reach their own token, not the first whose label starts alike.
     */
    @Test
    void aLabelThatBeginsAnotherReachesItsOwnToken() throws Exception {
        Path hsm = work.resolve("prefix");
        for (int i = 1; i <= 7; i++) {
            Shell.Result other = script(null, "create", hsm.toString(), "pki-ca-" + i);
            assertEquals(0, other.exit(), other.output());
        }
        Shell.Result created = script(null, "create", hsm.toString(), "pki-ca");
        assertEquals(0, created.exit(), created.output());
        Shell.Result rotated = script(null, "rotate-pin", hsm.toString(), "pki-ca");
        assertEquals(0, rotated.exit(), rotated.output());
        for (String label : List.of("pki-ca", "pki-ca-1", "pki-ca-7")) {
            String pin = Files.readString(hsm.resolve(label + ".pin")).trim();
            Shell.Result in = loginExactly(hsm, label, pin);
            assertEquals(0, in.exit(), label + ": " + in.output());
        }
    }

    static String serial(Path hsm, String label) {
        String listing = Shell.exec(
                        hsm,
                        "env",
                        "SOFTHSM2_CONF=" + hsm.resolve("softhsm2.conf"),
                        "pkcs11-tool",
                        "--module",
                        TestHsm.LIBRARY,
                        "-L")
                .ok()
                .output();
        int at = listing.indexOf("token label        : " + label);
        if (at < 0) {
            return null;
        }
        int s = listing.indexOf("serial num", at);
        return listing.substring(listing.indexOf(':', s) + 1, listing.indexOf('\n', s))
                .trim();
    }

    @Test
    void createReuseBackupRestoreRotateWithoutAPinOnACommandLine() throws Exception {
        Path hsm = work.resolve("hsm");
        String pin = "stdin-pin-4711";
        assertEquals(
                0,
                script(pin + "\n", "create", hsm.toString(), "ca", "--pin-stdin")
                        .exit());
        assertEquals(pin, Files.readString(hsm.resolve("ca.pin")).trim());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(hsm.resolve("ca.pin"))));
        assertEquals(0, login(hsm, "ca", pin).exit());
        String serial = serial(hsm, "ca");

        assertEquals(0, script(null, hsm.toString(), "ca").exit(), "the old form reuses the token");
        assertEquals(serial, serial(hsm, "ca"), "not re-created");
        assertEquals(0, login(hsm, "ca", pin).exit());

        Path backup = work.resolve("ca.tar.gz");
        Shell.Result b = script(null, "backup", hsm.toString(), "ca", backup.toString());
        assertEquals(0, b.exit(), b.output());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)));
        assertEquals(
                2,
                script(null, "backup", hsm.toString(), "ca", backup.toString()).exit(),
                "never overwrites a backup");

        Shell.Result refused = script(null, "restore", hsm.toString(), backup.toString());
        assertEquals(2, refused.exit(), refused.output());
        assertTrue(refused.output().contains("--force"), refused.output());

        Path other = work.resolve("restored");
        Shell.Result restored = script(null, "restore", other.toString(), backup.toString());
        assertEquals(0, restored.exit(), restored.output());
        assertEquals(serial, serial(other, "ca"));
        assertEquals(0, login(other, "ca", pin).exit(), "the restored token opens with the old PIN");

        Shell.Result rotated = script(null, "rotate-pin", hsm.toString(), "ca");
        assertEquals(0, rotated.exit(), rotated.output());
        String newPin = Files.readString(hsm.resolve("ca.pin")).trim();
        assertNotEquals(pin, newPin);
        assertEquals(0, login(hsm, "ca", newPin).exit());
        assertNotEquals(0, login(hsm, "ca", pin).exit(), "the old PIN no longer logs in");

        Path pinFile = work.resolve("chosen.pin");
        Files.writeString(pinFile, "file-pin-0815\n");
        assertEquals(
                0,
                script(null, "create", hsm.toString(), "ca", "--pin-file", pinFile.toString(), "--force")
                        .exit());
        assertNotEquals(serial, serial(hsm, "ca"), "--force made a new token");
        assertEquals(0, login(hsm, "ca", "file-pin-0815").exit());

        String argv = Files.readString(argvLog);
        assertTrue(argv.contains("--init-token") && argv.contains("--change-pin"), argv);
        for (String secret : List.of(
                pin,
                newPin,
                "file-pin-0815",
                Files.readString(hsm.resolve("ca.so-pin")).trim())) {
            assertFalse(argv.contains(secret), "a PIN on a command line: " + argv);
        }
    }

    @Test
    void usageErrorsAndHelp() throws Exception {
        Shell.Result help = script(null, "--help");
        assertEquals(0, help.exit());
        assertTrue(help.output().contains("rotate-pin"), help.output());
        assertEquals(2, script(null).exit());
        assertEquals(
                2,
                script(null, "create", work.resolve("u").toString(), "bad label!")
                        .exit());
        assertEquals(
                2,
                script(null, "create", work.resolve("u").toString(), "x", "--bogus")
                        .exit());
        assertEquals(
                2,
                script("abc\n", "create", work.resolve("u").toString(), "y", "--pin-stdin")
                        .exit(),
                "a PIN of 3 characters");
        assertEquals(
                2,
                script(
                                null,
                                "restore",
                                work.resolve("u").toString(),
                                work.resolve("missing.tgz").toString())
                        .exit());
        assertEquals(
                2,
                script(null, "rotate-pin", work.resolve("u").toString(), "nosuch")
                        .exit());
    }
}
