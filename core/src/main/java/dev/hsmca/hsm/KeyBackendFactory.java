package dev.hsmca.hsm;

import java.util.ServiceLoader;

/**
 * Opens a {@link KeyBackend} of one type ({@code pki.hsm.type}); found with {@link ServiceLoader}, so a new backend
 * is a class and a line in {@code META-INF/services}.
 */
public interface KeyBackendFactory {

    /** The configuration value that selects it, e.g. {@code pkcs11}. */
    String type();

    KeyBackend open(Settings settings, char[] pin);

    /**
     * What a backend is opened with (no secrets: the PIN is passed separately and wiped after use).
     *
     * @param configTemplate a SunPKCS11 configuration template file ({@code hsm-config/sunpkcs11/}), or null for
     *                       the built-in one
     */
    record Settings(String library, String tokenLabel, String configTemplate) {
        public Settings(String library, String tokenLabel) {
            this(library, tokenLabel, null);
        }
    }

    /** The factory for this type, or an error naming the types there are. */
    static KeyBackendFactory of(String type) {
        StringBuilder known = new StringBuilder();
        for (KeyBackendFactory f : ServiceLoader.load(KeyBackendFactory.class)) {
            if (f.type().equalsIgnoreCase(type)) {
                return f;
            }
            known.append(known.isEmpty() ? "" : ", ").append(f.type());
        }
        throw new HsmException("no key backend of type '" + type + "' (available: " + known + ")");
    }
}
