package dev.hsmca.appliance.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hsmca.appliance.domain.AdminGrant;
import dev.hsmca.appliance.domain.Entitlement;
import dev.hsmca.appliance.revocation.Revocations;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.testing.TestAppliance;
import dev.hsmca.appliance.testing.TestDatabases;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.core.RevocationReason;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A revocation meeting the half-life refresh of the same certificate's responses, in each order: the revocation
 * succeeds and the responses stored at the end say revoked. Deterministic: the refresh stops at its seams while the
 * revocation runs, and where one side must wait for the other's lock the test polls the database until it does.
 */
class OcspRefreshRaceTest {
    static final Duration DEADLINE = Duration.ofMinutes(2); // a hang is the failure
    static final boolean POSTGRES = System.getenv(TestDatabases.PG_URL_VARIABLE) != null
            && !System.getenv(TestDatabases.PG_URL_VARIABLE).isBlank();
    /** One appliance per test and store, their tokens all made first: SoftHSM sees no token made after it loaded. */
    static final Map<String, List<TestAppliance>> APPS = Map.of(
            "h2",
            List.of(TestAppliance.h2(), TestAppliance.h2(), TestAppliance.h2()),
            "postgres",
            POSTGRES
                    ? List.of(TestAppliance.postgres(), TestAppliance.postgres(), TestAppliance.postgres())
                    : List.of());

    /** The case: the refresh read 'valid', then a revocation committed, then the refresh stored. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRevocationBetweenTheRefreshsReadAndItsWriteIsNotUndone(String store) throws Exception {
        try (Fixture f = Fixture.start(store, 0)) {
            List<Boolean> inTransaction = new ArrayList<>();
            f.presigner.onRefresh((step, serials) -> {
                if (step == OcspPresigner.RefreshStep.SIGNED && serials.contains(f.serial)) {
                    inTransaction.add(f.transactions.findTransactionStatus().isPresent());
                    join(CompletableFuture.runAsync(f::revoke)); // commits before the refresh writes
                }
            });
            f.makeStale();
            assertTrue(f.presigner.refresh(500) >= 1);
            f.assertRevokedResponses();
            assertEquals(List.of(false), inTransaction, "signed with no transaction (and no connection) held");
        }
    }

    /**
     * The other order: the refresh has written 'good' (not committed yet) when the revocation comes. The revocation
     * waits for the refresh's commit, then replaces its responses (it failed on a primary-key clash before).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRevocationWhileTheRefreshWritesWaitsForItAndWins(String store) throws Exception {
        try (Fixture f = Fixture.start(store, 1)) {
            List<CompletableFuture<Void>> revocation = new ArrayList<>();
            f.presigner.onRefresh((step, serials) -> {
                if (step == OcspPresigner.RefreshStep.STORED && serials.contains(f.serial) && revocation.isEmpty()) {
                    CompletableFuture<Void> r = CompletableFuture.runAsync(f::revoke);
                    revocation.add(r);
                    f.awaitBlockedOrDone(r); // the refresh commits only once the revocation waits for it
                }
            });
            f.makeStale();
            assertTrue(f.presigner.refresh(500) >= 1);
            assertEquals(1, revocation.size(), "the refresh wrote the certificate's responses");
            join(revocation.get(0)); // throws what the revocation threw
            f.assertRevokedResponses();
        }
    }

    /** A revocation not committed yet when the refresh stores: the refresh waits, sees it, and leaves its responses. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRefreshMeetingAnUncommittedRevocationLeavesItsResponses(String store) throws Exception {
        try (Fixture f = Fixture.start(store, 2)) {
            CountDownLatch signed = new CountDownLatch(1);
            CountDownLatch go = new CountDownLatch(1);
            f.presigner.onRefresh((step, serials) -> {
                if (step == OcspPresigner.RefreshStep.SIGNED && serials.contains(f.serial)) {
                    signed.countDown();
                    await(go);
                }
            });
            f.makeStale();
            CompletableFuture<Integer> refresh = CompletableFuture.supplyAsync(() -> f.presigner.refresh(500));
            await(signed);
            f.transactions.executeWrite(status -> {
                f.revocations.apply(
                        f.record(), RevocationReason.KEY_COMPROMISE, Entitlement.Source.ADMIN, "admin:test");
                go.countDown();
                f.awaitBlockedOrDone(refresh); // the refresh waits for this transaction
                return null;
            });
            assertTrue(join(refresh) >= 1, "the refresh did not fail");
            f.assertRevokedResponses();
        }
    }

    /** An initialized appliance with its scheduled jobs off (they would refresh too), and one certificate to race on. */
    record Fixture(
            ApplicationContext context,
            boolean h2,
            OcspPresigner presigner,
            Revocations revocations,
            TransactionOperations<Connection> transactions,
            DataSource raw,
            String serial)
            implements AutoCloseable {

        @SuppressWarnings("unchecked")
        static Fixture start(String store, int test) {
            boolean h2 = store.equals("h2");
            Assumptions.assumeTrue(h2 || POSTGRES, TestDatabases.PG_URL_VARIABLE + " is not set");
            ApplicationContext context = APPS.get(store)
                    .get(test)
                    .with("pki.jobs.enabled", "false")
                    .initialize()
                    .context();
            CertificateRepository certificates = context.getBean(CertificateRepository.class);
            String serial = certificates.findAll().stream()
                    .filter(c -> c.status() == CertificateStatus.VALID && "monitoring".equals(c.profile()))
                    .findFirst()
                    .orElseThrow()
                    .serial();
            return new Fixture(
                    context,
                    h2,
                    context.getBean(OcspPresigner.class),
                    context.getBean(Revocations.class),
                    context.getBean(TransactionOperations.class),
                    DelegatingDataSource.unwrapDataSource(context.getBean(DataSource.class)),
                    serial);
        }

        CertificateRecord record() {
            return context.getBean(CertificateRepository.class).findById(serial).orElseThrow();
        }

        void revoke() {
            revocations.revoke(serial, RevocationReason.KEY_COMPROMISE, new AdminGrant("test"));
        }

        /** Every stored response passes half its life within the hour: the next refresh re-signs them all. */
        void makeStale() throws SQLException {
            try (Connection c = raw.getConnection();
                    PreparedStatement s = c.prepareStatement("UPDATE ocsp_responses SET next_update = ?")) {
                s.setTimestamp(1, Timestamp.from(Instant.now().plus(Duration.ofHours(1))));
                assertTrue(s.executeUpdate() >= 2);
            }
        }

        /** Polls until a session waits for a lock (the other side's), or that side is done (it did not wait). */
        void awaitBlockedOrDone(CompletableFuture<?> other) {
            String waiting = h2
                    ? "SELECT COUNT(*) FROM information_schema.sessions WHERE blocker_id IS NOT NULL"
                    : "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()";
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            try (Connection c = raw.getConnection();
                    PreparedStatement s = c.prepareStatement(waiting)) {
                while (!other.isDone()) {
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) > 0) {
                            return;
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        fail("the other side neither waited for a lock nor finished");
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Both responses (SHA-1 and SHA-256 CertIDs) are stored, fresh, and say revoked. */
        void assertRevokedResponses() throws Exception {
            assertEquals(CertificateStatus.REVOKED, record().status());
            try (Connection c = raw.getConnection();
                    PreparedStatement s = c.prepareStatement(
                            "SELECT status, next_update, response_der FROM ocsp_responses WHERE serial = ?")) {
                s.setString(1, serial);
                int rows = 0;
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        assertEquals("revoked", rs.getString(1));
                        assertTrue(rs.getTimestamp(2)
                                .toInstant()
                                .isAfter(Instant.now().plus(Duration.ofHours(90))));
                        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(rs.getBytes(3)).getResponseObject();
                        assertTrue(
                                basic.getResponses()[0].getCertStatus() instanceof RevokedStatus,
                                "the DER says it too");
                    }
                }
                assertEquals(2, rows);
            }
        }

        @Override
        public void close() {
            presigner.onRefresh((step, serials) -> {});
            context.close();
        }
    }

    /** The future's result, or what it threw; a hang is a failure. */
    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
