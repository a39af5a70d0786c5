package dev.hsmca.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import db.callback.ResponderGrants;
import dev.hsmca.appliance.testing.TestDatabases;
import io.micronaut.context.ApplicationContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The appliance's own migration (micronaut-flyway at start) runs the schema's responder grants (Flyway finds them in
 * db/callback): once it has started on PostgreSQL, a member of the reader role reads pre-signed responses and cannot
 * read EAB HMAC keys. The full rules are in ocsp-responder's ResponderGrantsTest.
 */
class ResponderGrantsAtStartTest {
    @Test
    void theAppliancesMigrationGrantsTheResponderWhatItReads() throws Exception {
        String admin = System.getenv(TestDatabases.PG_URL_VARIABLE);
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String reader = "reader_" + suffix;
        String login = "ocsp_" + suffix;
        TestDatabases.Database db = TestDatabases.freshPostgres();
        String loginUrl = db.url().replaceFirst("([?&])user=[^&]*", "$1user=" + login);
        sql(admin, "CREATE ROLE " + reader + " NOLOGIN", "CREATE ROLE " + login + " LOGIN IN ROLE " + reader);
        try {
            Map<String, Object> properties = new HashMap<>(db.properties());
            properties.put("flyway.datasources.default.placeholders." + ResponderGrants.ROLE_PLACEHOLDER, reader);
            try (ApplicationContext ignored = ApplicationContext.builder()
                    .properties(properties)
                    .environments("test")
                    .start()) {
                sql(loginUrl, "SELECT serial, response_der FROM ocsp_responses");
                SQLException e =
                        assertThrows(SQLException.class, () -> sql(loginUrl, "SELECT hmac_key FROM acme_eab_keys"));
                assertEquals("42501", e.getSQLState());
                SQLException keys =
                        assertThrows(SQLException.class, () -> sql(loginUrl, "SELECT secret_hash FROM enroll_keys"));
                assertEquals("42501", keys.getSQLState(), "enrollment key hashes are not the responder's");
            }
        } finally {
            String name = db.url().replaceAll(".*/([^/?]+)(\\?.*)?$", "$1");
            sql(
                    admin,
                    "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
                    "DROP ROLE " + login,
                    "DROP ROLE " + reader);
        }
    }

    static void sql(String url, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
