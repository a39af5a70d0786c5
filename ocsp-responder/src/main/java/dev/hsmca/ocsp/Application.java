package dev.hsmca.ocsp;

import dev.hsmca.ocsp.web.Warmup;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import java.time.Duration;
import java.util.Map;

/** The OCSP responder: a separate process that reads certificate status from the shared schema. */
public final class Application {
    /**
     * {@code -Dpki.cds.training=true}: start on a free port, warm up, and exit, so that a JVM run with
     * {@code -XX:ArchiveClassesAtExit} writes a class-data archive of everything a serving responder loads; the
     * deployment starts the service with it ({@code -XX:SharedArchiveFile}), which halves the time to the first answer.
     */
    static final String TRAINING = "pki.cds.training";

    private Application() {}

    public static void main(String[] args) throws InterruptedException {
        boolean training = Boolean.getBoolean(TRAINING);
        Micronaut app = Micronaut.build(args);
        app.mainClass(Application.class).banner(false).eagerInitConfiguration(true);
        if (training) {
            app.properties(Map.of("micronaut.server.port", -1));
        }
        // configuration records are made (and validated) at start: a bad value stops it, naming its key
        ApplicationContext context = app.start();
        if (training) {
            context.getBean(Warmup.class).await(Duration.ofSeconds(30));
            context.close();
            System.exit(0);
        }
    }
}
