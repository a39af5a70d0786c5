package dev.hsmca.appliance.crl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.audit.AuditLog;
import dev.hsmca.appliance.ca.CaHierarchy;
import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.issuance.IssuanceCommand;
import dev.hsmca.appliance.issuance.RegistrationAuthority;
import dev.hsmca.appliance.policy.CertificateAsk;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CrlPartRecord;
import dev.hsmca.appliance.store.CrlPartRepository;
import dev.hsmca.appliance.store.CrlRecord;
import dev.hsmca.appliance.store.CrlRepository;
import dev.hsmca.appliance.store.CrlState;
import dev.hsmca.appliance.store.CrlStateRepository;
import dev.hsmca.appliance.testing.Openssl;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.RevocationReason;
import io.micronaut.context.ApplicationContext;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Revocations racing CRL generation, the publisher and the scheduled jobs (the mix that could deadlock when a
 * revocation held the audit lock and waited for the CRL generator's monitor, and the generator the reverse):
 * nothing hangs (the test fails on a timeout), every revocation is on the next CRL, CRL numbers never repeat and
 * grow in the order CRLs are stored, and the audit chain stays intact. Shared by the H2 and PostgreSQL classes.
 */
final class CrlConcurrency {
    static final int CERTIFICATES = 60;
    static final int REVOKERS = 4;

    private CrlConcurrency() {}

    static void run(TestAppliance app) throws Exception {
        app.with("pki.crl.publish-delay", "200ms")
                .with("pki.jobs.initial-delay", "1h")
                .initialize();
        Path dir = Files.createTempDirectory(app.dir(), "crl-race");
        String csr = Openssl.keyAndCsr(dir, "leaf", "leaf.example.com", "DNS:leaf.example.com");
        try (ApplicationContext ctx = app.context()) {
            RegistrationAuthority issuance = ctx.getBean(RegistrationAuthority.class);
            Revocations revocations = ctx.getBean(Revocations.class);
            CrlService crls = ctx.getBean(CrlService.class);
            CrlPublisher publisher = ctx.getBean(CrlPublisher.class);
            FreshnessJobs jobs = ctx.getBean(FreshnessJobs.class);
            AdminGrant admin = new AdminGrant("test");
            List<String> serials = new ArrayList<>();
            for (int i = 0; i < CERTIFICATES; i++) {
                serials.add(issuance.issue(new IssuanceCommand(
                                IssuanceCommand.Channel.REST,
                                admin.entitlement(),
                                csr,
                                "tls-server",
                                null,
                                Duration.ofDays(30),
                                CertificateAsk.Identity.REQUESTED,
                                null,
                                IssuanceCommand.Claim.NONE,
                                ""))
                        .serial());
            }

            ConcurrentLinkedQueue<CrlService.Issued> issued = new ConcurrentLinkedQueue<>();
            AtomicBoolean revoking = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(REVOKERS + 4);
            try {
                assertTimeoutPreemptively(
                        Duration.ofMinutes(10),
                        () -> { // a deadlock is the failure
                            List<Future<?>> revokers = new ArrayList<>();
                            for (int r = 0; r < REVOKERS; r++) {
                                int offset = r;
                                revokers.add(pool.submit(() -> {
                                    for (int i = offset; i < CERTIFICATES; i += REVOKERS) {
                                        RevocationReason reason = i % 2 == 0
                                                ? RevocationReason.KEY_COMPROMISE
                                                : RevocationReason.SUPERSEDED;
                                        revocations.revoke(serials.get(i), reason, admin);
                                    }
                                }));
                            }
                            List<Future<?>> others = new ArrayList<>();
                            for (int g = 0; g < 2; g++) {
                                others.add(pool.submit(() -> {
                                    while (revoking.get()) {
                                        issued.add(crls.generate(CaRole.ISSUING, "test:generator"));
                                    }
                                }));
                            }
                            others.add(pool.submit(() -> {
                                while (revoking.get()) {
                                    issued.addAll(publisher.publishOwed());
                                }
                            }));
                            others.add(pool.submit(() -> {
                                while (revoking.get()) {
                                    jobs.crls();
                                    jobs.ocsp();
                                }
                            }));
                            for (Future<?> f : revokers) {
                                f.get();
                            }
                            revoking.set(false);
                            for (Future<?> f : others) {
                                f.get();
                            }
                        });
            } finally {
                revoking.set(false);
                pool.shutdownNow();
            }

            // The publisher was asked after each commit: the CRL that covers everything appears within its delay.
            CrlStateRepository state = ctx.getBean(CrlStateRepository.class);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos(); // a hang is the failure
            PartitionCrls parts = ctx.getBean(PartitionCrls.class);
            while ((state.findById("issuing").orElseThrow().behind()
                            || !parts.owed().isEmpty())
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            CrlState s = state.findById("issuing").orElseThrow();
            assertEquals(s.revision(), s.publishedRevision(), "a CRL covers every revocation");

            String caId = ctx.getBean(CaHierarchy.class).issuing().id();
            CrlRecord latest = ctx.getBean(CrlRepository.class).latest(caId).orElseThrow();
            X509CRL crl = (X509CRL)
                    CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(latest.crlDer()));
            for (String serial : serials) {
                assertTrue(
                        crl.getRevokedCertificate(new BigInteger(serial, 16)) != null,
                        serial + " is on the newest CRL");
            }
            // The full CRL and its delta share one number sequence (RFC 5280 section 5.2.4).
            long delta = ctx.getBean(CrlPartRepository.class)
                    .latest(caId, CrlPartRecord.DELTA)
                    .map(d -> d.key().crlNumber())
                    .orElse(0L);
            assertEquals(
                    Math.max(latest.key().crlNumber(), delta),
                    s.lastNumber(),
                    "the newest CRL or delta carries the last number taken");

            Set<Long> numbers = new HashSet<>();
            for (CrlService.Issued i : issued) {
                assertTrue(numbers.add(i.number()), "CRL number " + i.number() + " issued twice");
            }
            System.out.printf(
                    "%d revocations raced %d CRLs (numbers %d..%d), no hang%n",
                    CERTIFICATES,
                    issued.size(),
                    numbers.stream().min(Long::compare).orElse(0L),
                    numbers.stream().max(Long::compare).orElse(0L));
            assertTrue(issued.size() > 2, "the generators ran during the revocations");
            assertTrue(ctx.getBean(AuditLog.class).verify().intact());
            assertCrlOrder(ctx.getBean(AuditLog.class));
        }
    }

    /** The audit log lists CRLs in the order they were stored: their numbers only grow. */
    static void assertCrlOrder(AuditLog audit) {
        long last = 0;
        for (var e : audit.search(Instant.EPOCH, "crl.issue", 0, 1000)) {
            if (!e.subject().startsWith("crl:issuing")) {
                continue;
            }
            long number = Long.parseLong(e.details().replaceAll(".*number=(\\d+).*", "$1"));
            assertTrue(number > last, "CRL #" + number + " stored after #" + last);
            last = number;
        }
    }
}
