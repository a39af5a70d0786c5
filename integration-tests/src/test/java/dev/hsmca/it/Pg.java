package dev.hsmca.it;

import dev.hsmca.hsm.testing.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A PostgreSQL of this test's own, through the same script make test uses, so it can be stopped and resumed. */
final class Pg {
    private Pg() {}

    static Path script() {
        return Path.of(System.getProperty("repo.root", ".."))
                .resolve("scripts/test-postgres.sh")
                .toAbsolutePath();
    }

    static Path dir() {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), "it-pg");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String start(Path dir) {
        return Shell.exec(null, script().toString(), "start", dir.toString())
                .ok()
                .output()
                .trim();
    }

    static void stop(Path dir) {
        Shell.exec(null, script().toString(), "stop", dir.toString()).ok();
    }

    static void resume(Path dir) {
        Shell.exec(null, script().toString(), "resume", dir.toString()).ok();
    }
}
