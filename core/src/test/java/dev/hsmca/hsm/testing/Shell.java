package dev.hsmca.hsm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real command-line clients (openssl, curl, pkcs11-tool) from tests. */
public final class Shell {
    private Shell() {}

    public record Result(int exit, String output) {
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + ": " + output);
            }
            return this;
        }
    }

    public static Result exec(Path dir, String... command) {
        return exec(dir, null, command);
    }

    public static Result exec(Path dir, byte[] stdin, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            if (stdin != null) {
                p.getOutputStream().write(stdin);
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
