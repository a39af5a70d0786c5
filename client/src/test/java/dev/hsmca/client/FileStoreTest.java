package dev.hsmca.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileStoreTest {
    @TempDir
    Path dir;

    Credentials credentials(long serial) throws Exception {
        KeyPair pair = KeyType.EC_P256.generate();
        Instant now = Instant.now();
        return new Credentials(pair.getPrivate(), TestCertificates.selfSigned(pair, now, now.plus(Duration.ofDays(1)),
                BigInteger.valueOf(serial)), List.of());
    }

    @Test
    void savesReleasesAndSwitchesAtomically() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        assertTrue(store.load().isEmpty());
        Credentials a = credentials(10);
        store.save(a);
        assertEquals(a.serialNumber(), store.load().orElseThrow().serialNumber());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.key().toRealPath())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pki"))));
        Credentials b = credentials(11);
        store.save(b);
        Credentials loaded = store.load().orElseThrow();
        assertEquals(b.serialNumber(), loaded.serialNumber());
        assertEquals(b.key(), loaded.key(), "cert and key from the same release");
        assertTrue(Files.readString(dir.resolve("pki/cert.pem.prev")).contains("BEGIN CERTIFICATE"));
        Credentials c = credentials(12);
        store.save(c);
        try (var releases = Files.list(dir.resolve("pki/releases"))) {
            assertEquals(2, releases.count(), "the current and the previous release are kept");
        }
    }

    @Test
    void aFailedSaveLeavesTheOldPair() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        Credentials a = credentials(20);
        store.save(a);
        // the switch of the current link cannot happen (something occupies its temporary name)
        Files.createDirectories(dir.resolve("pki/.current.tmp/occupied"));
        PkiClientException e = org.junit.jupiter.api.Assertions.assertThrows(PkiClientException.class,
                () -> store.save(credentials(21)));
        assertEquals(PkiClientException.Kind.STORE, e.kind());
        assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        Credentials after = store.load().orElseThrow();
        assertEquals(a.serialNumber(), after.serialNumber(), "the old certificate is still current");
        assertEquals(a.key(), after.key(), "with its own key");
        try (var releases = Files.list(dir.resolve("pki/releases"))) {
            assertFalse(releases.anyMatch(p -> p.getFileName().toString().startsWith(".new-")), "no half-written release");
        }
    }
}
