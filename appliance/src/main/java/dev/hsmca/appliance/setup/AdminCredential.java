package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.x509.Pem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Writes the super-admin mTLS credential: {@code admin.p12} with its password in {@code admin.pass}, and the
 * same as PEM ({@code admin.crt.pem}, {@code admin.key.pem}) for curl. Every file 0600 from its creation, the folder
 * 0700. Each file is written beside its target, synced, then renamed over it: a crash leaves the old file or the new
 * one, never half of one, and a symbolic link at the target is replaced, never followed (nor a linked folder).
 */
final class AdminCredential {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private AdminCredential() {}

    static void write(Path dir, PrivateKey key, X509Certificate cert, List<X509Certificate> chain) {
        write(dir, "admin", key, cert, chain);
    }

    /** The same files for another client credential, named {@code <name>.p12}, {@code <name>.pass}, ... */
    static void write(Path dir, String name, PrivateKey key, X509Certificate cert, List<X509Certificate> chain) {
        try {
            privateDirectory(dir);
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            char[] password = Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(random)
                    .toCharArray();

            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
            Certificate[] fullChain = new Certificate[chain.size() + 1];
            fullChain[0] = cert;
            for (int i = 0; i < chain.size(); i++) {
                fullChain[i + 1] = chain.get(i);
            }
            p12.setKeyEntry(name, key, password, fullChain);
            ByteArrayOutputStream p12Bytes = new ByteArrayOutputStream();
            p12.store(p12Bytes, password);
            replace(dir.resolve(name + ".p12"), p12Bytes.toByteArray());
            replace(dir.resolve(name + ".pass"), (new String(password) + "\n").getBytes(StandardCharsets.UTF_8));
            replace(dir.resolve(name + ".key.pem"), Pem.encode(key).getBytes(StandardCharsets.UTF_8));
            replace(dir.resolve(name + ".crt.pem"), Pem.encode(cert).getBytes(StandardCharsets.UTF_8));
            sync(dir);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot write the " + name + " credential to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The folder, made if missing and set to 0700; a symbolic link there is refused (chmod would follow it). */
    static void privateDirectory(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException(dir + " is a symbolic link; a credential is written into a real folder only");
        }
        Files.createDirectories(dir);
        if (!Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isDirectory()) {
            throw new IOException(dir + " is not a folder");
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /** A new file (0600 from creation, never an existing one) with this content, synced, then renamed over {@code target}. */
    static void replace(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp", OWNER_ONLY);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** The renames themselves survive a crash once the folder is synced. */
    private static void sync(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
