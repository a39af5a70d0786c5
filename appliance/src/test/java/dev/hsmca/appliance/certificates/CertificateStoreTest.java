package dev.hsmca.appliance.certificates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.store.CaCertificateRecord;
import dev.hsmca.appliance.store.CaCertificateRepository;
import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.appliance.store.CertificateRepository;
import dev.hsmca.appliance.store.CertificateStore;
import dev.hsmca.appliance.testing.TestDatabases;
import dev.hsmca.appliance.web.api.CertificateQuery;
import dev.hsmca.core.CaRole;
import dev.hsmca.core.CertificateStatus;
import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The schema and queries, on both supported databases: embedded H2 and PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CertificateStoreTest {
    private final Map<String, ApplicationContext> contexts = new HashMap<>();

    @BeforeAll
    void start() throws Exception {
        contexts.put("h2", context(TestDatabases.h2(Files.createTempDirectory("store"))));
        contexts.put("postgres", context(TestDatabases.freshPostgres()));
    }

    @AfterAll
    void stop() {
        contexts.values().forEach(ApplicationContext::close);
    }

    private static ApplicationContext context(TestDatabases.Database db) {
        return ApplicationContext.builder()
                .properties(new HashMap<>(db.properties()))
                .environments("test")
                .start();
    }

    @SuppressWarnings("TimeInStaticInitializer") // one "now" for the whole class is what the test wants
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private static CaCertificateRecord issuer(String id, boolean active) {
        return new CaCertificateRecord(
                id,
                CaRole.ISSUING,
                "issuing",
                "CN=Test",
                "01",
                null,
                "ec-p256",
                "a".repeat(40),
                "b".repeat(40),
                "c".repeat(64),
                "d".repeat(64),
                NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(1000)),
                new byte[] {1, 2, 3},
                active,
                NOW,
                active ? "issuing" : null);
    }

    private static CertificateRecord cert(String serial, String issuer, String status, Instant notAfter) {
        return new CertificateRecord(
                serial,
                issuer,
                "CN=" + serial,
                "a.example.com,b.example.com",
                "10.0.0.1",
                "tls-server",
                "svc",
                CertificateStatus.stored(status),
                NOW.minus(Duration.ofDays(1)),
                notAfter,
                "revoked".equals(status) ? NOW : null,
                "revoked".equals(status) ? "keyCompromise" : null,
                new byte[] {9, 8, 7},
                NOW,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    private static List<CertificateRecord> page(CertificateRepository repo, CertificateQuery q) {
        return repo.page(
                q.status(),
                q.service(),
                q.enrollKey(),
                q.now(),
                q.minNotAfter(),
                q.maxNotAfter(),
                q.afterNotAfter(),
                q.afterSerial(),
                q.limit());
    }

    /** The listed serials of this class's listing test (a1..a5): another test's rows share the database. */
    private static List<String> serials(List<CertificateRecord> rows) {
        return rows.stream()
                .map(CertificateRecord::serial)
                .filter(serial -> serial.matches("a[0-9]"))
                .toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void storesQueriesAndPages(String db) {
        ApplicationContext ctx = contexts.get(db);
        CaCertificateRepository cas = ctx.getBean(CaCertificateRepository.class);
        ctx.getBean(CertificateStore.class); // the store starts with the context, as before
        CertificateRepository repo = ctx.getBean(CertificateRepository.class);
        String issuer = "issuing-" + db;
        cas.save(issuer(issuer, true));
        assertEquals(
                issuer,
                cas.findByRoleAndActive(CaRole.ISSUING, true).orElseThrow().id());

        repo.save(cert("a1", issuer, "valid", NOW.plus(Duration.ofDays(5))));
        repo.save(cert("a2", issuer, "valid", NOW.plus(Duration.ofDays(50))));
        repo.save(cert("a3", issuer, "revoked", NOW.plus(Duration.ofDays(60))));
        repo.save(cert("a4", issuer, "valid", NOW.minus(Duration.ofDays(2))));
        repo.save(cert("a5", issuer, "valid", NOW.plus(Duration.ofDays(5))));

        CertificateRecord back = repo.findById("a3").orElseThrow();
        assertEquals(CertificateStatus.REVOKED, back.status());
        assertEquals("keyCompromise", back.revocationReason());
        assertEquals(NOW, back.revokedAt());
        assertEquals(
                List.of((byte) 9, (byte) 8, (byte) 7),
                List.of(back.certificateDer()[0], back.certificateDer()[1], back.certificateDer()[2]));

        Instant now = Instant.now();
        assertEquals(
                List.of("a4", "a1", "a5", "a2", "a3"),
                serials(page(repo, CertificateQuery.parse(null, null, null, null, now))));
        assertEquals(
                List.of("a1", "a5", "a2"), serials(page(repo, CertificateQuery.parse("valid", null, null, null, now))));
        assertEquals(List.of("a3"), serials(page(repo, CertificateQuery.parse("revoked", null, null, null, now))));
        assertEquals(List.of("a4"), serials(page(repo, CertificateQuery.parse("expired", null, null, null, now))));
        assertEquals(List.of("a1", "a5"), serials(page(repo, CertificateQuery.parse("valid", 30, null, null, now))));

        // Keyset pagination: two at a time, in order, each row once, ties on not_after broken by serial.
        List<String> walked = new ArrayList<>();
        String cursor = null;
        do {
            List<CertificateRecord> page = page(repo, CertificateQuery.parse(null, null, 2, cursor, now));
            walked.addAll(serials(page));
            cursor = page.size() == 2 ? CertificateQuery.cursorAfter(page.get(1)) : null;
        } while (cursor != null);
        assertEquals(List.of("a4", "a1", "a5", "a2", "a3"), walked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void schemaRefusesDuplicatesUnknownIssuersAndBadStatus(String db) {
        ApplicationContext ctx = contexts.get(db);
        CaCertificateRepository cas = ctx.getBean(CaCertificateRepository.class);
        CertificateRepository repo = ctx.getBean(CertificateRepository.class);
        String issuer = "constraints-" + db;
        cas.save(issuer(issuer, false));
        // one active row per role, whatever the code does
        boolean created = cas.findByRoleAndActive(CaRole.ISSUING, true).isEmpty();
        if (created) {
            cas.save(issuer("active-" + db, true));
        }
        assertThrows(RuntimeException.class, () -> cas.save(issuer("second-active-" + db, true)));
        if (created) {
            cas.deactivate("active-" + db); // leaves the other test its own active issuer
        }
        repo.save(cert("b1", issuer, "valid", NOW.plus(Duration.ofDays(5))));
        long count = repo.count();
        assertThrows(RuntimeException.class, () -> repo.save(cert("b1", issuer, "valid", NOW)));
        assertThrows(RuntimeException.class, () -> repo.save(cert("b2", "no-such-issuer", "valid", NOW)));
        assertEquals(count, repo.count());
        // the schema refuses a status the code could not even express
        assertThrows(SQLException.class, () -> {
            try (var c = DriverManager.getConnection(
                            ctx.getProperty("datasources.default.url", String.class)
                                    .orElseThrow(),
                            ctx.getProperty("datasources.default.username", String.class)
                                    .orElse(""),
                            ctx.getProperty("datasources.default.password", String.class)
                                    .orElse(""));
                    var st = c.createStatement()) {
                st.executeUpdate("UPDATE certificates SET status = 'maybe' WHERE serial = 'b1'");
            }
        });
        assertEquals(CertificateStatus.VALID, repo.findById("b1").orElseThrow().status());
        assertNull(repo.findById("b2").orElse(null));
        assertTrue(repo.findById("b1").isPresent());
    }
}
