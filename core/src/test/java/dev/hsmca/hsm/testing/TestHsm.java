package dev.hsmca.hsm.testing;

import dev.hsmca.hsm.Pkcs11Token;
import dev.hsmca.hsm.SlotResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Real SoftHSM2 tokens for tests. All tokens of one test run live in one token directory, the one
 * {@code SOFTHSM2_CONF} (set by surefire) names, because SoftHSM reads its configuration once per process.
 * Each call makes a new token with a unique label through the same script {@code make run} uses.
 * SoftHSM does not see tokens created after the module was loaded in this process, so make every token
 * a test class needs before opening any (surefire gives each test class its own JVM).
 */
public final class TestHsm {
    public static final String LIBRARY = System.getProperty("pki.hsm.library", "/usr/lib/softhsm/libsofthsm2.so");

    private TestHsm() {}

    public record Token(String label, Path pinFile, Path hsmDir) {
        public char[] pin() {
            try {
                return Files.readString(pinFile, StandardCharsets.UTF_8).trim().toCharArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public Pkcs11Token open() {
            return Pkcs11Token.open(LIBRARY, label, pin());
        }
    }

    public static Path hsmDir() {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set: run the tests through Maven (make test)");
        }
        return Path.of(conf).toAbsolutePath().getParent();
    }

    public static Path script() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("hsm-config/scripts/softhsm-token.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("hsm-config/scripts/softhsm-token.sh not found above "
                    + Path.of("").toAbsolutePath());
        }
        return dir.resolve("hsm-config/scripts/softhsm-token.sh");
    }

    public static synchronized Token newToken(String prefix) {
        String label = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = hsmDir();
        run(script().toString(), dir.toString(), label);
        return new Token(label, dir.resolve(label + ".pin"), dir);
    }

    /**
     * Logs this process out of the token through PKCS#11 itself (C_Logout on a new session): every private-key
     * operation then fails with CKR_USER_NOT_LOGGED_IN, as after an HSM restart.
     */
    public static void logout(String label) {
        try {
            long slot = SlotResolver.slotForLabel(LIBRARY, label);
            Class<?> pkcs11 = Class.forName("sun.security.pkcs11.wrapper.PKCS11");
            Class<?> initArgs = Class.forName("sun.security.pkcs11.wrapper.CK_C_INITIALIZE_ARGS");
            Object args = initArgs.getConstructor().newInstance();
            initArgs.getField("flags").setLong(args, 2L);
            Object module = pkcs11.getMethod("getInstance", String.class, String.class, initArgs, boolean.class)
                    .invoke(null, LIBRARY, "C_GetFunctionList", args, false);
            Class<?> notify = Class.forName("sun.security.pkcs11.wrapper.CK_NOTIFY");
            long session = (long) pkcs11.getMethod("C_OpenSession", long.class, long.class, Object.class, notify)
                    .invoke(module, slot, 4L, null, null);
            pkcs11.getMethod("C_Logout", long.class).invoke(module, session);
            pkcs11.getMethod("C_CloseSession", long.class).invoke(module, session);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot log out of token " + label, e);
        }
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("exit " + p.exitValue() + " from " + command[0] + ": " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
