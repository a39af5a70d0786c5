package dev.hsmca.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V12: challenge errors stored before as one "urn:...:type: detail" text are split into type and detail where they
 * used to be split when read (the detail keeps its own ": "), on H2 and on PostgreSQL.
 */
class AcmeChallengeErrorMigrationTest {
    static final String PREFIX = "urn:ietf:params:acme:error:";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void storedErrorsMoveToTypeAndDetail(String db) throws Exception {
        String url = "h2".equals(db)
                ? "jdbc:h2:mem:v12-" + UUID.randomUUID() + TestDatabases.H2_OPTIONS + ";DB_CLOSE_DELAY=-1"
                : TestDatabases.freshPostgres().url();
        String user = "h2".equals(db) ? "sa" : null;
        String password = "h2".equals(db) ? "" : null;
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .target("11")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO acme_accounts VALUES ('acc', 't', '{}', 'valid', '', NULL, CURRENT_TIMESTAMP)");
            s.execute("INSERT INTO acme_orders (id, account_id, status, identifiers, expires_at, created_at)"
                    + " VALUES ('ord', 'acc', 'invalid', 'a.test', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            s.execute(
                    "INSERT INTO acme_authorizations VALUES ('az', 'ord', 'acc', 'a.test', FALSE, 'invalid', CURRENT_TIMESTAMP)");
            try (PreparedStatement p =
                    c.prepareStatement("INSERT INTO acme_challenges (id, authz_id, type, token, status, error)"
                            + " VALUES (?, 'az', 'http-01', 'tok', ?, ?)")) {
                for (String[] row : new String[][] {
                    {"dns", "invalid", PREFIX + "dns: dns-01: no TXT record at _acme-challenge.a.test"},
                    {
                        "http",
                        "invalid",
                        PREFIX + "unauthorized: http-01: http://a.test/.well-known/acme-challenge/tok answered HTTP 404"
                    },
                    {"bare", "invalid", "a text of no known form"},
                    {"none", "valid", null}
                }) {
                    p.setString(1, row[0]);
                    p.setString(2, row[1]);
                    p.setString(3, row[2]);
                    p.executeUpdate();
                }
            }
        }
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .load()
                .migrate();
        List<List<String>> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, error_type, error_detail FROM acme_challenges ORDER BY id")) {
            while (rs.next()) {
                rows.add(Arrays.asList(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
        assertEquals(
                List.of(
                        List.of("bare", "unauthorized", "a text of no known form"),
                        List.of("dns", "dns", "dns-01: no TXT record at _acme-challenge.a.test"),
                        List.of(
                                "http",
                                "unauthorized",
                                "http-01: http://a.test/.well-known/acme-challenge/tok answered HTTP 404"),
                        Arrays.asList("none", null, null)),
                rows);
    }
}
