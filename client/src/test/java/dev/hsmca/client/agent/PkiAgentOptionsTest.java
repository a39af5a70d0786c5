package dev.hsmca.client.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.client.PkiClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The agent's small parsers: durations, the first given value, its one-line JSON. */
class PkiAgentOptionsTest {
    @Test
    void durationsInEachUnit() {
        assertEquals(Duration.ofSeconds(30), PkiAgent.duration("30s"));
        assertEquals(Duration.ofMinutes(10), PkiAgent.duration(" 10M "));
        assertEquals(Duration.ofHours(24), PkiAgent.duration("24h"));
        assertEquals(Duration.ofDays(7), PkiAgent.duration("7d"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "h", "5", "5x", "five minutes", "1.5h"})
    void anythingElseIsAUsageError(String text) {
        CommandLine.ParameterException e =
                assertThrows(CommandLine.ParameterException.class, () -> PkiAgent.duration(text));
        assertEquals("'" + text + "' is not a duration such as 30s, 10m, 24h, 7d", e.getMessage());
    }

    @Test
    void theFirstValueGivenWins() {
        assertEquals("b", PkiAgent.first(null, " ", "b", "c"));
        assertNull(PkiAgent.first(null, ""));
    }

    @Test
    void theCredentialIsATokenOrAnEnrollmentKeyNeverBoth(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "hct_t\n");
        Path key = Files.writeString(dir.resolve("key"), " hek_k\n");
        Map<String, String> none = Map.of();
        assertEquals("hct_t", EnrollCredential.of(token, null, null, none::get));
        assertEquals("hek_k", EnrollCredential.of(null, key, null, none::get));
        assertEquals("hek_k", EnrollCredential.of(null, null, null, Map.of("PKI_ENROLL_KEY", "hek_k ")::get));
        assertEquals(
                "hek_k", EnrollCredential.of(null, null, null, Map.of("PKI_ENROLL_KEY_FILE", key.toString())::get));
        assertEquals("hct_e", EnrollCredential.of(null, null, null, Map.of("PKI_INSTALL_TOKEN", "hct_e")::get));
        assertEquals(
                "hek_k",
                EnrollCredential.of(null, key, null, Map.of("PKI_INSTALL_TOKEN", "hct_e")::get),
                "the option first");
        assertThrows(CommandLine.ParameterException.class, () -> EnrollCredential.of(token, key, null, none::get));
        assertThrows(
                CommandLine.ParameterException.class,
                () -> EnrollCredential.of(
                        null, null, null, Map.of("PKI_INSTALL_TOKEN", "hct_e", "PKI_ENROLL_KEY", "hek_k")::get));
        assertThrows(CommandLine.ParameterException.class, () -> EnrollCredential.of(null, null, null, none::get));
        PkiClientException notAKey = assertThrows(
                PkiClientException.class,
                () -> EnrollCredential.of(null, null, null, Map.of("PKI_ENROLL_KEY", "hct_t")::get));
        assertEquals("PKI_ENROLL_KEY does not hold an enrollment key (hek_...)", notAKey.getMessage());
    }

    @Test
    void aWorkloadTokenIsAJwtReadFromItsFileAndNeverBesideAnother(@TempDir Path dir) throws Exception {
        Path jwt = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln\n");
        Path token = Files.writeString(dir.resolve("install"), "hct_t\n");
        Map<String, String> none = Map.of();
        assertEquals("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", EnrollCredential.of(null, null, jwt, none::get));
        assertEquals(
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
                EnrollCredential.of(null, null, null, Map.of("PKI_JWT_FILE", jwt.toString())::get));
        assertThrows(CommandLine.ParameterException.class, () -> EnrollCredential.of(token, null, jwt, none::get));
        assertThrows(
                CommandLine.ParameterException.class,
                () -> EnrollCredential.of(
                        null, null, null, Map.of("PKI_JWT_FILE", jwt.toString(), "PKI_ENROLL_KEY", "hek_k")::get));
        PkiClientException notAJwt =
                assertThrows(PkiClientException.class, () -> EnrollCredential.of(null, null, token, none::get));
        assertEquals("the file " + token + " does not hold a JWT", notAJwt.getMessage());
    }

    @Test
    void theRenewalHookGetsNoCredential(@TempDir Path dir) throws Exception {
        Map<String, String> agent = Map.of(
                "PATH", System.getenv("PATH"),
                "PKI_ENROLL_KEY", "hek_0123456789abcdef_secret",
                "PKI_INSTALL_TOKEN", "hct_0123456789abcdef_secret",
                "PKI_ENROLL_KEY_FILE", "/run/secrets/key",
                "KEEP", "yes");
        Process p = Renew.hook(agent, "sh", "-c", "env > env.out")
                .directory(dir.toFile())
                .start();
        assertEquals(0, p.waitFor());
        String env = Files.readString(dir.resolve("env.out"));
        assertFalse(env.contains("PKI_ENROLL_KEY=") || env.contains("hek_"), env);
        assertFalse(env.contains("PKI_INSTALL_TOKEN=") || env.contains("hct_"), env);
        assertTrue(env.contains("KEEP=yes"), env);
        assertTrue(env.contains("PKI_ENROLL_KEY_FILE=/run/secrets/key"), "where the key is, not the key: " + env);
    }

    @Test
    void aCredentialFileOthersMayReadIsWarnedAbout(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "hek_k\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        assertNull(EnrollCredential.exposure(key, "enrollment key"));
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        String warning = EnrollCredential.exposure(key, "enrollment key");
        assertTrue(warning != null && warning.contains(key.toString()) && warning.contains("others"), warning);
        assertFalse(warning.contains("hek_k"), "never the key itself");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
        assertTrue(EnrollCredential.exposure(key, "enrollment key").contains("its group"));
        assertEquals(
                "hek_k",
                EnrollCredential.of(null, key, null, Map.<String, String>of()::get),
                "a warning, not a refusal");
    }

    @Test
    void jsonOfTheInfoMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial", "0a");
        m.put("days", 3L);
        m.put("renew_now", false);
        m.put("subject", "CN=a \"b\" \\c");
        assertEquals(
                "{\"serial\":\"0a\",\"days\":3,\"renew_now\":false,\"subject\":\"CN=a \\\"b\\\" \\\\c\"}",
                PkiAgent.toJson(m));
    }
}
