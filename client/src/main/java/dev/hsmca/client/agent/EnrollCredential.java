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
     * {@code PKI_INSTALL_TOKEN}), an enrollment key ({@code --enroll-key-file}, {@code PKI_ENROLL_KEY_FILE},
     * {@code PKI_ENROLL_KEY}) or a workload token ({@code --jwt-file}, {@code PKI_JWT_FILE}: a Kubernetes projected
     * service-account token, read when used, since the kubelet replaces it); the options before the environment, and
     * never two kinds.
     */
    static String of(Path tokenFile, Path enrollKeyFile, Path jwtFile, Function<String, String> env) {
        int options = (tokenFile != null ? 1 : 0) + (enrollKeyFile != null ? 1 : 0) + (jwtFile != null ? 1 : 0);
        if (options > 1) {
            throw PkiAgent.usage("give one of --token-file, --enroll-key-file and --jwt-file");
        }
        if (tokenFile != null) {
            return read(tokenFile, "token");
        }
        if (enrollKeyFile != null) {
            return enrollKey(read(enrollKeyFile, "enrollment key"), "the file " + enrollKeyFile);
        }
        if (jwtFile != null) {
            return jwt(jwtFile);
        }
        boolean token = env.apply("PKI_INSTALL_TOKEN_FILE") != null || env.apply("PKI_INSTALL_TOKEN") != null;
        boolean key = env.apply("PKI_ENROLL_KEY_FILE") != null || env.apply("PKI_ENROLL_KEY") != null;
        boolean workload = env.apply("PKI_JWT_FILE") != null;
        if ((token ? 1 : 0) + (key ? 1 : 0) + (workload ? 1 : 0) > 1) {
            throw PkiAgent.usage("more than one credential is set (PKI_INSTALL_TOKEN[_FILE], PKI_ENROLL_KEY[_FILE], "
                    + "PKI_JWT_FILE): give one");
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
        if (workload) {
            return jwt(Path.of(env.apply("PKI_JWT_FILE")));
        }
        throw PkiAgent.usage("--token-file, --enroll-key-file or --jwt-file (or PKI_INSTALL_TOKEN_FILE / "
                + "PKI_INSTALL_TOKEN / PKI_ENROLL_KEY_FILE / PKI_ENROLL_KEY / PKI_JWT_FILE) is required");
    }

    /**
     * A workload token: a signed JWT, short-lived and bound to the CA's audience (no permission warning: a projected
     * token's volume is the kubelet's to set, and the token expires within the hour).
     */
    private static String jwt(Path file) {
        String value;
        try {
            value = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID, "no_token", "cannot read the workload token file " + file);
        }
        if (!value.startsWith("eyJ") || value.chars().filter(c -> c == '.').count() != 2) {
            throw new PkiClientException(
                    PkiClientException.Kind.INVALID, "not_a_jwt", "the file " + file + " does not hold a JWT");
        }
        return value;
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
