package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest {
    @TempDir
    Path dir;

    Credentials credentials(long serial) throws Exception {
        KeyPair pair = KeyType.EC_P256.generate();
        Instant now = Instant.now();
        return new Credentials(
                pair.getPrivate(),
                TestCertificates.selfSigned(pair, now, now.plus(Duration.ofDays(1)), BigInteger.valueOf(serial)),
                List.of());
    }

    @Test
    void savesReleasesAndSwitchesAtomically() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        assertTrue(store.load().isEmpty());
        Credentials a = credentials(10);
        store.save(a);
        assertEquals(a.serialNumber(), store.load().orElseThrow().serialNumber());
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(store.key().toRealPath())));
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
        PkiClientException e = org.junit.jupiter.api.Assertions.assertThrows(
                PkiClientException.class, () -> store.save(credentials(21)));
        assertEquals(PkiClientException.Kind.STORE, e.kind());
        assertTrue(e.getMessage().contains("unchanged"), e.getMessage());
        Credentials after = store.load().orElseThrow();
        assertEquals(a.serialNumber(), after.serialNumber(), "the old certificate is still current");
        assertEquals(a.key(), after.key(), "with its own key");
        try (var releases = Files.list(dir.resolve("pki/releases"))) {
            assertFalse(
                    releases.anyMatch(p -> p.getFileName().toString().startsWith(".new-")), "no half-written release");
        }
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void eachFileHasItsModeAndTheFoldersArePrivate() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        Credentials a = credentials(30);
        store.save(a);
        Path release = dir.resolve("pki/releases").resolve(a.serial());
        assertEquals("rw-------", mode(release.resolve("key.pem")));
        for (String f : new String[] {"cert.pem", "chain.pem", "fullchain.pem"}) {
            assertEquals("rw-r-----", mode(release.resolve(f)), f);
        }
        assertEquals("rwx------", mode(dir.resolve("pki/releases")));
        assertEquals("rwx------", mode(release));
    }

    @Test
    void theNamedFilesAreLinksThroughCurrent() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        Credentials a = credentials(40);
        store.save(a);
        Path pki = dir.resolve("pki");
        assertEquals(Path.of("releases", a.serial()), Files.readSymbolicLink(pki.resolve("current")));
        for (String f : FileStore.FILES) {
            assertEquals(Path.of("current", f), Files.readSymbolicLink(pki.resolve(f)), f);
        }
        assertFalse(Files.exists(pki.resolve("previous"), LinkOption.NOFOLLOW_LINKS), "no previous at first");
        Credentials b = credentials(41);
        store.save(b);
        assertEquals(Path.of("releases", b.serial()), Files.readSymbolicLink(pki.resolve("current")));
        assertEquals(Path.of("releases", a.serial()), Files.readSymbolicLink(pki.resolve("previous")));
        assertEquals(Path.of("previous", "key.pem"), Files.readSymbolicLink(pki.resolve("key.pem.prev")));
        assertEquals(
                Pem.privateKey(a.key()), Files.readString(pki.resolve("key.pem.prev")), "the previous key, readable");
        assertEquals(Pem.privateKey(b.key()), Files.readString(store.key()));
        try (var names = Files.list(pki)) {
            assertFalse(names.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary link is left");
        }
    }

    @Test
    void theChainFilesSayWhatAPeerIsSent() throws Exception {
        TestCa ca = new TestCa("store-root");
        Instant now = Instant.now();
        X509Certificate root = ca.root();
        Credentials leaf = ca.credentials(List.of("leaf.internal"), now, now.plus(Duration.ofDays(1)));
        Credentials intermediate = ca.credentials(List.of("intermediate"), now, now.plus(Duration.ofDays(1)));
        Credentials c = new Credentials(leaf.key(), leaf.certificate(), List.of(intermediate.certificate(), root));
        FileStore store = new FileStore(dir.resolve("pki"));
        store.save(c);
        assertEquals(Pem.certificates(List.of(leaf.certificate())), Files.readString(store.certificate()));
        assertEquals(Pem.certificates(List.of(intermediate.certificate(), root)), Files.readString(store.chain()));
        assertEquals(
                Pem.certificates(List.of(leaf.certificate(), intermediate.certificate())),
                Files.readString(store.fullchain()),
                "the certificate and the intermediates, not the root");
        assertEquals(c.chain(), store.load().orElseThrow().chain());
    }

    @Test
    void savingTheSameCertificateAgainKeepsOneRelease() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        Credentials a = credentials(60);
        store.save(a);
        store.save(a);
        assertEquals(a.serialNumber(), store.load().orElseThrow().serialNumber());
        assertFalse(
                Files.exists(dir.resolve("pki/previous"), LinkOption.NOFOLLOW_LINKS),
                "a release is not its own previous");
        try (var releases = Files.list(dir.resolve("pki/releases"))) {
            assertEquals(1, releases.count());
        }
    }

    @Test
    void anUnreadableStoreIsAStoreError() throws Exception {
        FileStore store = new FileStore(dir.resolve("pki"));
        store.save(credentials(70));
        Files.writeString(store.certificate().toRealPath(), "not a certificate");
        PkiClientException e = org.junit.jupiter.api.Assertions.assertThrows(PkiClientException.class, store::load);
        assertEquals(PkiClientException.Kind.STORE, e.kind());
        assertEquals("store_unreadable", e.code());
        assertTrue(e.getMessage().startsWith("cannot read the credentials in " + store.dir()), e.getMessage());
    }

    @Test
    void aFolderThatCannotBeMadeIsAStoreError() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        FileStore store = new FileStore(file.resolve("pki"));
        PkiClientException e = org.junit.jupiter.api.Assertions.assertThrows(
                PkiClientException.class, () -> store.save(credentials(80)));
        assertEquals("store_not_writable", e.code());
        assertTrue(store.load().isEmpty());
    }

    @Test
    void theFolderIsNamedAbsolutely() {
        FileStore store = new FileStore(Path.of("relative/../pki"));
        assertTrue(store.dir().isAbsolute());
        assertEquals(store.dir().resolve("key.pem"), store.key());
        assertEquals("pki", store.dir().getFileName().toString());
    }
}
