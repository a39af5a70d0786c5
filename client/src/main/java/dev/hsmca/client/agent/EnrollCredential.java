package dev.hsmca.client.agent;

import dev.hsmca.client.PkiClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Function;

/** Where {@code pki-agent enroll} finds its credential, and what it checks of it before it is sent anywhere. */
final class EnrollCredential {
    private EnrollCredential() {}

    /**
     * The credential to enroll with: an install token ({@code --token-file}, {@code PKI_INSTALL_TOKEN_FILE},
     * {@code PKI_INSTALL_TOKEN}) or an enrollment key ({@code --enroll-key-file}, {@code PKI_ENROLL_KEY_FILE},
     * {@code PKI_ENROLL_KEY}); the options before the environment, and never both kinds.
     */
    static String of(Path tokenFile, Path enrollKeyFile, Function<String, String> env) {
        if (tokenFile != null && enrollKeyFile != null) {
            throw PkiAgent.usage("give --token-file or --enroll-key-file, not both");
        }
        if (tokenFile != null) {
            return read(tokenFile, "token");
        }
        if (enrollKeyFile != null) {
            return enrollKey(read(enrollKeyFile, "enrollment key"), "the file " + enrollKeyFile);
        }
        boolean token = env.apply("PKI_INSTALL_TOKEN_FILE") != null || env.apply("PKI_INSTALL_TOKEN") != null;
        boolean key = env.apply("PKI_ENROLL_KEY_FILE") != null || env.apply("PKI_ENROLL_KEY") != null;
        if (token && key) {
            throw PkiAgent.usage(
                    "both an install token (PKI_INSTALL_TOKEN[_FILE]) and an enrollment key (PKI_ENROLL_KEY[_FILE])"
                            + " are set: give one");
        }
        if (env.apply("PKI_INSTALL_TOKEN_FILE") != null) {
            return read(Path.of(env.apply("PKI_INSTALL_TOKEN_FILE")), "token");
        }
        if (env.apply("PKI_INSTALL_TOKEN") != null) {
            return env.apply("PKI_INSTALL_TOKEN").trim();
        }
        if (env.apply("PKI_ENROLL_KEY_FILE") != null) {
            Path file = Path.of(env.apply("PKI_ENROLL_KEY_FILE"));
            return enrollKey(read(file, "enrollment key"), "the file " + file);
        }
        if (env.apply("PKI_ENROLL_KEY") != null) {
            return enrollKey(env.apply("PKI_ENROLL_KEY").trim(), "PKI_ENROLL_KEY");
        }
        throw PkiAgent.usage("--token-file or --enroll-key-file (or PKI_INSTALL_TOKEN_FILE / PKI_INSTALL_TOKEN / "
                + "PKI_ENROLL_KEY_FILE / PKI_ENROLL_KEY) is required");
    }

    private static String read(Path file, String what) {
        String exposed = exposure(file, what);
        if (exposed != null) {
            System.err.println(exposed);
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID, "no_token", "cannot read the " + what + " file " + file);
        }
    }

    /**
     * A warning when a credential file may be read by its group or by others, or null. A warning, not a refusal: a
     * Kubernetes secret volume is 0644 unless its defaultMode says otherwise, and the container may be its only user.
     */
    static String exposure(Path file, String what) {
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.GROUP_READ) || mode.contains(PosixFilePermission.OTHERS_READ)) {
                return "pki-agent: warning: the " + what + " file " + file + " is readable by "
                        + (mode.contains(PosixFilePermission.OTHERS_READ) ? "others" : "its group") + " ("
                        + PosixFilePermissions.toString(mode) + "); make it readable by its owner only (chmod 600)";
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null; // unreadable: reading it says so; no POSIX modes: nothing to check
        }
        return null;
    }

    /** An enrollment key is {@code hek_...}: anything else there is a secret deployed in the wrong place. */
    private static String enrollKey(String value, String where) {
        if (!value.startsWith("hek_")) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID,
                    "not_an_enroll_key",
                    where + " does not hold an enrollment key (hek_...)");
        }
        return value;
    }
}
