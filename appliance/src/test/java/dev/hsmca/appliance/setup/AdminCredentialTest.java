package dev.hsmca.appliance.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The credential files are replaced whole (0600 from creation), and a symbolic link is never written through. */
class AdminCredentialTest {
    static final List<String> FILES = List.of("admin.p12", "admin.pass", "admin.key.pem", "admin.crt.pem");
    static KeyPair pair;
    static X509Certificate cert;

    @BeforeAll
    static void credential() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        pair = g.generateKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=test admin");
        cert = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                name,
                                BigInteger.ONE,
                                Date.from(now),
                                Date.from(now.plus(1, ChronoUnit.DAYS)),
                                name,
                                pair.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aSymbolicLinkAtATargetIsReplacedNeverFollowed() throws Exception {
        Path dir = Files.createTempDirectory("admin");
        Path victim = Files.createTempFile("victim", ".txt");
        Files.writeString(victim, "keep");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
        for (String f : FILES) {
            Files.createSymbolicLink(dir.resolve(f), victim);
        }

        AdminCredential.write(dir, pair.getPrivate(), cert, List.of());

        assertEquals("keep", Files.readString(victim), "written through a symbolic link");
        assertEquals("rw-r--r--", mode(victim), "re-permissioned through a symbolic link");
        for (String f : FILES) {
            assertFalse(Files.isSymbolicLink(dir.resolve(f)), f);
            assertEquals("rw-------", mode(dir.resolve(f)), f);
        }
        assertTrue(Files.readString(dir.resolve("admin.key.pem")).contains("PRIVATE KEY"));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    void aRewriteReplacesEachFileWholeAndLeavesNothingBeside() throws Exception {
        Path dir = Files.createTempDirectory("admin");
        AdminCredential.write(dir, pair.getPrivate(), cert, List.of());
        String firstPassword = Files.readString(dir.resolve("admin.pass"));
        AdminCredential.write(dir, pair.getPrivate(), cert, List.of());
        assertFalse(firstPassword.equals(Files.readString(dir.resolve("admin.pass"))), "a new password");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(
                    FILES.stream().sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file left");
        }
    }

    @Test
    void aLinkedFolderIsRefused() throws Exception {
        Path real = Files.createTempDirectory("elsewhere");
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createTempDirectory("admin-parent").resolve("admin");
        Files.createSymbolicLink(link, real);
        assertThrows(
                IllegalStateException.class, () -> AdminCredential.write(link, pair.getPrivate(), cert, List.of()));
        assertEquals("rwxr-xr-x", mode(real));
        try (Stream<Path> files = Files.list(real)) {
            assertEquals(0, files.count());
        }
    }
}
