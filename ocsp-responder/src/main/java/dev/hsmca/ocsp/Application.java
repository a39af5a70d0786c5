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

    /**
     * Netty's default is two event loops per CPU, for handlers that block. Ours never do (store reads and signatures
     * run on lanes of their own), and on the bench's 2 CPUs two loops doubled GET's p99 against one: the loops,
     * the kernel's network work and the clients take turns on the same cores. So half the CPUs, at least one,
     * unless the setting is given.
     */
    static final String EVENT_LOOPS = "micronaut.netty.event-loops.default.num-threads";

    private Application() {}

    static int defaultEventLoops(int cpus) {
        return Math.max(1, cpus / 2);
    }

    public static void main(String[] args) throws InterruptedException {
        boolean training = Boolean.getBoolean(TRAINING);
        if (System.getProperty(EVENT_LOOPS) == null
                && System.getenv("MICRONAUT_NETTY_EVENT_LOOPS_DEFAULT_NUM_THREADS") == null) {
            System.setProperty(
                    EVENT_LOOPS,
                    Integer.toString(defaultEventLoops(Runtime.getRuntime().availableProcessors())));
        }
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
