package dev.hsmca.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The store folder a service reads its credentials from. Each certificate is written whole into
 * {@code releases/<serial>/} (cert.pem, chain.pem, fullchain.pem, key.pem 0600), then one atomic rename switches the
 * {@code current} link to it; {@code cert.pem}, {@code key.pem}, ... are links through {@code current}. So a
 * reader sees the old pair or the new pair, never a mix, and a crash, a full disk or a read-only folder leaves the
 * old pair in place. The release before is kept ({@code previous}, {@code *.prev}) until the next renewal.
 */
public final class FileStore {
    static final String[] FILES = {"cert.pem", "chain.pem", "fullchain.pem", "key.pem"};

    private final Path dir;

    public FileStore(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    public Path key() {
        return dir.resolve("key.pem");
    }

    public Path chain() {
        return dir.resolve("chain.pem");
    }

    public Path fullchain() {
        return dir.resolve("fullchain.pem");
    }

    /** The credentials in the folder, if there are any. */
    public Optional<Credentials> load() {
        if (!Files.exists(dir.resolve("current"))) {
            return Optional.empty();
        }
        try {
            Path release = dir.resolve("current").toRealPath();
            List<X509Certificate> cert = Pem.certificates(Files.readString(release.resolve("cert.pem")));
            List<X509Certificate> chain = Pem.certificates(Files.readString(release.resolve("chain.pem")));
            PrivateKey key = Pem.privateKey(Files.readString(release.resolve("key.pem")));
            if (cert.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + release.resolve("cert.pem"));
            }
            return Optional.of(new Credentials(key, cert.get(0), chain));
        } catch (IOException | IllegalArgumentException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.STORE,
                    "store_unreadable",
                    "cannot read the credentials in " + dir + ": " + e.getMessage(),
                    e);
        }
    }

    /** Writes a new release and switches to it atomically; the old files stay intact on any failure. */
    public void save(Credentials c) {
        try {
            createPrivateDir(dir);
            Path releases = dir.resolve("releases");
            createPrivateDir(releases);
            Path release = releases.resolve(c.serial());
            Path staging = Files.createTempDirectory(releases, ".new-");
            try {
                write(staging.resolve("cert.pem"), Pem.certificates(List.of(c.certificate())), false);
                write(staging.resolve("chain.pem"), Pem.certificates(c.chain()), false);
                List<X509Certificate> full = new ArrayList<>(List.of(c.presented()));
                write(staging.resolve("fullchain.pem"), Pem.certificates(full), false);
                write(staging.resolve("key.pem"), Pem.privateKey(c.key()), true);
                if (Files.exists(release)) {
                    deleteTree(release);
                }
                Files.move(staging, release, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                if (Files.exists(staging)) {
                    deleteTree(staging); // a half-written release (full disk) never becomes current
                }
            }
            Optional<Path> old = currentRelease();
            switchLink("current", Path.of("releases", c.serial()));
            if (old.isPresent() && !old.get().getFileName().toString().equals(c.serial())) {
                switchLink(
                        "previous", Path.of("releases", old.get().getFileName().toString()));
            }
            for (String f : FILES) {
                link(f, Path.of("current", f));
                if (Files.exists(dir.resolve("previous"), LinkOption.NOFOLLOW_LINKS)) {
                    link(f + ".prev", Path.of("previous", f));
                }
            }
            fsync(dir);
            prune(releases);
        } catch (FileSystemException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.STORE,
                    "store_not_writable",
                    "cannot write to " + dir + " (" + reason(e) + "); the previous certificate and key are unchanged",
                    e);
        } catch (IOException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.STORE,
                    "store_not_writable",
                    "cannot write to " + dir + " (" + e.getMessage()
                            + "); the previous certificate and key are unchanged",
                    e);
        }
    }

    private static String reason(FileSystemException e) {
        return e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
    }

    private Optional<Path> currentRelease() throws IOException {
        Path current = dir.resolve("current");
        return Files.exists(current) ? Optional.of(current.toRealPath()) : Optional.empty();
    }

    /** A symlink {@code name -> target}, replaced in one rename. */
    private void switchLink(String name, Path target) throws IOException {
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, target);
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void link(String name, Path target) throws IOException {
        Path p = dir.resolve(name);
        if (Files.isSymbolicLink(p) && Files.readSymbolicLink(p).equals(target)) {
            return;
        }
        switchLink(name, target);
    }

    /** Keeps the current and the previous release. */
    private void prune(Path releases) throws IOException {
        Path current = dir.resolve("current").toRealPath();
        Path previous =
                Files.exists(dir.resolve("previous")) ? dir.resolve("previous").toRealPath() : null;
        try (Stream<Path> all = Files.list(releases)) {
            for (Path r : all.toList()) {
                Path real = r.toRealPath();
                if (!real.equals(current) && !real.equals(previous)) {
                    deleteTree(r);
                }
            }
        }
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r-----")));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
    }

    private static void createPrivateDir(Path d) throws IOException {
        if (!Files.isDirectory(d)) {
            Files.createDirectories(
                    d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static void fsync(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system can sync a directory; the renames are atomic either way
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }
}
