package dev.hsmca.ocsp;

import io.micronaut.runtime.Micronaut;

/** The OCSP responder: a separate process that reads certificate status from the shared schema. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        Micronaut.run(Application.class, args);
    }
}
