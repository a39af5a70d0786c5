package dev.hsmca.appliance.setup;

import dev.hsmca.appliance.x509.Pem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Writes the super-admin mTLS credential: {@code admin.p12} with its password in {@code admin.pass}, and the
 * same as PEM ({@code admin.crt.pem}, {@code admin.key.pem}) for curl. Every file 0600, the folder 0700.
 */
final class AdminCredential {
    private AdminCredential() {
    }

    static void write(Path dir, PrivateKey key, X509Certificate cert, List<X509Certificate> chain) {
        write(dir, "admin", key, cert, chain);
    }

    /** The same files for another client credential, named {@code <name>.p12}, {@code <name>.pass}, ... */
    static void write(Path dir, String name, PrivateKey key, X509Certificate cert, List<X509Certificate> chain) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            char[] password = Base64.getUrlEncoder().withoutPadding().encodeToString(random).toCharArray();

            KeyStore p12 = KeyStore.getInstance("PKCS12");
            p12.load(null, null);
            Certificate[] fullChain = new Certificate[chain.size() + 1];
            fullChain[0] = cert;
            for (int i = 0; i < chain.size(); i++) {
                fullChain[i + 1] = chain.get(i);
            }
            p12.setKeyEntry(name, key, password, fullChain);
            Path p12File = privateFile(dir.resolve(name + ".p12"));
            try (var out = Files.newOutputStream(p12File, StandardOpenOption.TRUNCATE_EXISTING)) {
                p12.store(out, password);
            }
            Files.writeString(privateFile(dir.resolve(name + ".pass")), new String(password) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(privateFile(dir.resolve(name + ".key.pem")), Pem.encode(key), StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(privateFile(dir.resolve(name + ".crt.pem")), Pem.encode(cert), StandardCharsets.UTF_8,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the " + name + " credential to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Creates (or re-permissions) a file readable by its owner only, before anything secret is written. */
    static Path privateFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
