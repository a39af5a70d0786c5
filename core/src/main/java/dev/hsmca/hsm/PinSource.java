package dev.hsmca.hsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Where the token PIN comes from: an environment variable, or a file that only its owner can read.
 * The PIN is never logged and never part of an exception message.
 */
public final class PinSource {
    private PinSource() {}

    public static char[] read(String envVariable, Path pinFile) {
        if (envVariable != null && !envVariable.isBlank()) {
            String fromEnv = System.getenv(envVariable);
            if (fromEnv != null && !fromEnv.isBlank()) {
                return fromEnv.trim().toCharArray();
            }
        }
        if (pinFile == null) {
            throw new HsmException("no HSM PIN: set " + envVariable + " or configure a PIN file");
        }
        if (!Files.isRegularFile(pinFile)) {
            throw new HsmException("HSM PIN file not found: " + pinFile);
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(pinFile);
            if (perms.stream()
                    .anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new HsmException("HSM PIN file " + pinFile + " must be readable by its owner only (chmod 600)");
            }
            String pin = Files.readString(pinFile, StandardCharsets.UTF_8).trim();
            if (pin.isEmpty()) {
                throw new HsmException("HSM PIN file is empty: " + pinFile);
            }
            return pin.toCharArray();
        } catch (IOException e) {
            throw new HsmException(
                    "cannot read HSM PIN file " + pinFile + ": " + e.getClass().getSimpleName());
        }
    }
}
