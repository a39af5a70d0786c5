package dev.hsmca.hsm;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the slot that holds a token with a given label. SunPKCS11 only takes a slot id, and SoftHSM
 * re-numbers slots whenever a token is initialized, so the label is the stable name.
 *
 * <p>Uses the JDK's own PKCS#11 wrapper (needs
 * {@code --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}); the module is
 * initialized with OS locking as SunPKCS11 does, and the provider later shares that instance.
 */
public final class SlotResolver {
    private static final String WRAPPER = "sun.security.pkcs11.wrapper.";
    private static final long CKF_OS_LOCKING_OK = 0x2L;

    private SlotResolver() {}

    public static long slotForLabel(String library, String label) {
        List<String> seen = new ArrayList<>();
        try {
            Class<?> pkcs11 = Class.forName(WRAPPER + "PKCS11");
            Class<?> initArgsClass = Class.forName(WRAPPER + "CK_C_INITIALIZE_ARGS");
            Constructor<?> ctor = initArgsClass.getConstructor();
            Object initArgs = ctor.newInstance();
            initArgsClass.getField("flags").setLong(initArgs, CKF_OS_LOCKING_OK);
            Method getInstance =
                    pkcs11.getMethod("getInstance", String.class, String.class, initArgsClass, boolean.class);
            Object module = getInstance.invoke(null, library, "C_GetFunctionList", initArgs, false);
            long[] slots =
                    (long[]) pkcs11.getMethod("C_GetSlotList", boolean.class).invoke(module, true);
            Method tokenInfo = pkcs11.getMethod("C_GetTokenInfo", long.class);
            for (long slot : slots) {
                Object info = tokenInfo.invoke(module, slot);
                String tokenLabel =
                        new String((char[]) info.getClass().getField("label").get(info)).trim();
                if (tokenLabel.equals(label)) {
                    return slot;
                }
                seen.add(tokenLabel);
            }
        } catch (IllegalAccessException e) {
            throw new HsmException(
                    "cannot use the JDK PKCS#11 wrapper: run java with "
                            + "--add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
                    e);
        } catch (InvocationTargetException e) {
            throw new HsmException(
                    "PKCS#11 module " + library + " failed to list tokens: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new HsmException("this JDK has no usable PKCS#11 wrapper", e);
        }
        throw new HsmException("no HSM token labelled '" + label + "' in " + library
                + (seen.isEmpty() ? " (no initialized token at all)" : " (found " + seen + ")"));
    }
}
