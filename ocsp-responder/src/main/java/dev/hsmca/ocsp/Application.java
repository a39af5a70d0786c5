package dev.hsmca.ocsp;

import io.micronaut.runtime.Micronaut;

/** The OCSP responder: a separate process that reads certificate status from the shared schema. */
public final class Application {
    private Application() {
    }

    public static void main(String[] args) {
        // configuration records are made (and validated) at start: a bad value stops it, naming its key
        Micronaut.build(args).mainClass(Application.class).banner(false).eagerInitConfiguration(true).start();
    }
}
