package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.hsm.testing.Shell;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shared by {@link RestartStressH2Test} and {@link RestartStressPostgresTest}. Nothing a client was told is lost, on every store we ship: cycles of 16 parallel issuances, then SIGKILL, SIGTERM
 * or SIGINT to the appliance while requests are in flight, then a restart (at once, while the old JVM may still be
 * closing, or after it is gone). At the end every certificate answered 201 is in the store, answers good from the
 * OCSP responder, and the audit chain verifies. On H2 a start while the old process still holds the file must be
 * refused, never share it.
 */
final class RestartStress {
    // make test: each signal twice, at once and after the old process is gone; make stress runs 30
    static final int CYCLES = Integer.getInteger("stress.cycles", 6);
    static final List<String> SIGNALS = List.of("KILL", "TERM", "INT");
    static final Duration START = Duration.ofMinutes(3); // a hang is the failure

    private RestartStress() {}

    static void run(TestAppliance app, boolean responderAlongside) throws Exception {
        app.with("pki.crl.publish-delay", "500ms").initialize();
        Path dir = Files.createTempDirectory(app.dir(), "stress");
        String csr = Openssl.keyAndCsr(dir, "stress", "stress.example.com", "DNS:stress.example.com");
        Set<String> told = new HashSet<>();
        ResponderProcess responder = responderAlongside ? ResponderProcess.start(E2e.databaseOnly(app), false) : null;
        if (responder != null) {
            app.with("pki.urls.ocsp", responder.url()); // for the appliances started below
        }
        ApplianceProcess previous = null;
        List<ApplianceProcess> started = new ArrayList<>();
        int refused = 0;
        try {
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                String signal = SIGNALS.get(cycle % SIGNALS.size());
                boolean atOnce = cycle % 2 == 0;
                ApplianceProcess appliance = ApplianceProcess.start(app, Map.of());
                started.add(appliance);
                long firstStartDeadline =
                        System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!appliance.awaitHealthy(app.anonymousSsl(), START)) {
                    // The old JVM still holds the store: the new one must have refused, not shared it.
                    assertNotEquals(0, appliance.exitCode(), appliance.log());
                    assertTrue(
                            (previous != null && previous.alive())
                                    || appliance.log().contains("in use"),
                            "refused without another holder: " + appliance.log());
                    refused++;
                    if (previous != null) {
                        previous.waitExit(Duration.ofSeconds(60));
                    } else {
                        // the first start: the holder is this JVM's own store, still closing after 'ca init' (a hang
                        // is the failure, not how long the close takes)
                        assertTrue(
                                System.nanoTime() < firstStartDeadline,
                                "refused for 2 minutes with no other appliance: " + appliance.log());
                        Thread.sleep(500);
                    }
                    appliance = ApplianceProcess.start(app, Map.of());
                    started.add(appliance);
                }
                if (previous != null) {
                    assertTrue(previous.waitExit(Duration.ofSeconds(60)), "the previous appliance did not stop");
                }
                Load load = Load.start(app.adminSsl(), appliance.port(), csr, 16);
                assertTrue(load.awaitIssued(24, Load.STALL), "no issuance in cycle " + cycle + ": " + appliance.log());
                appliance.signal(signal);
                if (!atOnce) {
                    assertTrue(
                            appliance.waitExit(Duration.ofSeconds(60)), "SIG" + signal + " did not stop the appliance");
                    load.close();
                    told.addAll(load.issued());
                } else {
                    // restart at once; requests still in flight to the old process count too
                    Thread.sleep(50);
                    loadAfterExit(appliance, load, told);
                }
                if (responder != null && cycle % 5 == 4) {
                    responder.kill();
                    responder = ResponderProcess.start(
                            E2e.databaseOnly(app), false); // on another port: the checks ask it there
                }
                previous = appliance;
                System.out.printf(
                        "cycle %d: SIG%s, restart %s: %d certificates told so far%n",
                        cycle, signal, atOnce ? "at once" : "after exit", told.size());
            }
            if (previous != null) {
                assertTrue(previous.waitExit(Duration.ofSeconds(60)));
            }
            System.out.printf(
                    "%s: %d cycles, %d certificates answered 201, %d starts refused while the old process held the store%n",
                    responderAlongside ? "PostgreSQL" : "H2", CYCLES, told.size(), refused);
            verify(app, told, responder, responderAlongside);
        } finally {
            started.forEach(ApplianceProcess::close);
            if (responder != null) {
                responder.close();
            }
        }
    }

    /** The old process is signalled; its clients keep going until it is gone, and what it answered counts. */
    private static void loadAfterExit(ApplianceProcess old, Load load, Set<String> told) throws Exception {
        Thread waiter = new Thread(() -> {
            try {
                old.waitExit(Duration.ofSeconds(60));
                load.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        waiter.start();
        waiter.join(70_000);
        told.addAll(load.issued());
    }

    private static void verify(
            TestAppliance app, Set<String> told, ResponderProcess responder, boolean responderAlongside)
            throws Exception {
        try (ApplianceProcess appliance = ApplianceProcess.start(app, Map.of())) {
            assertTrue(appliance.awaitHealthy(app.anonymousSsl(), START), appliance.log());
            var admin = new Api(app.adminSsl(), appliance.port());
            Set<String> missing = new HashSet<>();
            for (String serial : told) {
                HttpResponse<String> r = admin.get("/api/v1/certificates/" + serial);
                if (r.statusCode() != 200) {
                    missing.add(serial + " (" + r.statusCode() + ")");
                }
            }
            assertEquals(Set.of(), missing, "certificates answered 201 but not in the store after the restarts");
        }
        // H2 is one process's file: the responder reads it once the appliance is gone.
        ResponderProcess ocsp = responderAlongside ? responder : ResponderProcess.start(E2e.databaseOnly(app), false);
        try {
            OcspCheck check = new OcspCheck(ocsp.url(), TestAppliance.certificate(app.issuingPem()));
            Map<String, Integer> statuses = new HashMap<>();
            for (String serial : told) {
                statuses.merge(check.status(serial), 1, Integer::sum);
            }
            assertEquals(Map.of("good", told.size()), statuses, "OCSP answers for the certificates issued");
        } finally {
            if (!responderAlongside) {
                ocsp.close();
            }
        }
        Shell.Result audit = ApplianceProcess.command(app, "audit", "verify");
        assertEquals(0, audit.exit(), audit.output());
        System.out.println("audit verify: "
                + audit.output().lines().filter(l -> !l.contains(" INFO ")).toList());
    }
}
