package dev.hsmca.ocsp;

import dev.hsmca.ocsp.web.Warmup;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
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

    /**
     * Netty's default is two event loops per CPU, for handlers that block. Ours do not (store reads and signatures
     * run on lanes of their own; only an HSM in the process, SoftHSM, signs a nonce on the loop), and on the bench's 2 CPUs two loops doubled GET's p99 against one: the loops,
     * the kernel's network work and the clients take turns on the same cores. So half the CPUs, at least one,
     * unless the setting is given anywhere.
     */
    static final String EVENT_LOOPS = "micronaut.netty.event-loops.default.num-threads";

    private Application() {}

    static int defaultEventLoops(int cpus) {
        return Math.max(1, cpus / 2);
    }

    public static void main(String[] args) throws InterruptedException {
        boolean training = Boolean.getBoolean(TRAINING);
        Micronaut app = Micronaut.build(args);
        app.mainClass(Application.class).banner(false).eagerInitConfiguration(true);
        // below every other source: application.yml, the deployment's config files, the environment and -D all win
        app.propertySources(PropertySource.of(
                "pki-ocsp-defaults",
                Map.of(EVENT_LOOPS, defaultEventLoops(Runtime.getRuntime().availableProcessors())),
                Integer.MIN_VALUE / 2));
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
