package dev.hsmca.hsm.testing;

import dev.hsmca.hsm.Pkcs11Token;
import dev.hsmca.hsm.SlotResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Real SoftHSM2 tokens for tests. All tokens of one test JVM live in one token directory, the one
 * {@code SOFTHSM2_CONF} (set by surefire per fork) names, because SoftHSM reads its configuration once per process.
 * SoftHSM does not see tokens created after the module was loaded in this process. Test JVMs run many classes one
 * after another ({@code -Dtest.hsm.pool=N}, set by the build): the first call makes N tokens at once, before anything
 * opened one, and each call hands out the next. Without a pool (a JVM of one's own), each call makes a token through
 * the same script {@code make run} uses, and the caller makes every token it needs before opening any.
 */
public final class TestHsm {
    public static final String LIBRARY = System.getProperty("pki.hsm.library", "/usr/lib/softhsm/libsofthsm2.so");

    private static final int POOL = Integer.getInteger("test.hsm.pool", 0);
    private static final Deque<Token> POOLED = new ArrayDeque<>();
    private static boolean pooled;

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
        if (POOL <= 0) {
            String label = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
            Path dir = hsmDir();
            run(script().toString(), dir.toString(), label);
            return new Token(label, dir.resolve(label + ".pin"), dir);
        }
        if (!pooled) {
            pooled = true;
            fillPool();
        }
        Token next = POOLED.poll();
        if (next == null) {
            throw new IllegalStateException("this test JVM's " + POOL + " SoftHSM tokens are used up (SoftHSM sees no "
                    + "token made after it loaded): raise -Dtest.hsm.pool");
        }
        return next;
    }

    /**
     * The pool: the first token through the script (it writes the token directory's configuration), the others with
     * softhsm2-util directly in one shell, about 30 ms each. Their PINs are random, on that shell's command lines, and
     * protect nothing but throwaway test keys.
     */
    private static void fillPool() {
        Path dir = hsmDir();
        String run = "r" + UUID.randomUUID().toString().substring(0, 6);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < POOL; i++) {
            labels.add(String.format("%s-%03d", run, i)); // one width: no label begins another (pkcs11-tool)
        }
        run(script().toString(), dir.toString(), labels.get(0));
        List<String> command = new ArrayList<>(List.of("bash", "-c", """
                set -euo pipefail; umask 077; dir=$1; shift
                for label in "$@"; do
                  pin=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n'); so=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')
                  printf '%s' "$pin" > "$dir/$label.pin"
                  softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so" >/dev/null
                done
                """, "pool", dir.toString()));
        command.addAll(labels.subList(1, labels.size()));
        run(command.toArray(String[]::new));
        for (String label : labels) {
            POOLED.add(new Token(label, dir.resolve(label + ".pin"), dir));
        }
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
