package dev.hsmca.ocsp.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import db.callback.ResponderGrants;
import io.micronaut.context.ApplicationContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The responder's database role against a real PostgreSQL migrated with the schema's grants callback: every query
 * of {@link Store} works as a member of the reader role, and nothing else can be read (EAB HMAC keys, install token
 * hashes, the audit log, ACME state, certificates' names), nor written. Grants an earlier deployment gave the
 * responder's role directly are taken back, and grants lost (a restore without privileges) come back.
 */
class ResponderGrantsTest {
    static final String ISSUER = "ca1";
    static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    static final String READER = "reader_" + SUFFIX;
    static final String LOGIN = "ocsp_" + SUFFIX;
    static final List<String> DATABASES = new ArrayList<>();
    static String admin;

    @BeforeAll
    static void roles() throws SQLException {
        admin = System.getenv("PKI_TEST_PG_URL");
        assertNotNull(admin, "PKI_TEST_PG_URL is not set: run the suite with 'make test', which starts a PostgreSQL");
        sql(
                admin,
                "CREATE ROLE " + READER + " NOLOGIN",
                "CREATE ROLE " + LOGIN + " LOGIN",
                "GRANT " + READER + " TO " + LOGIN);
    }

    @AfterAll
    static void drop() throws SQLException {
        for (String db : DATABASES) {
            sql(admin, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        sql(admin, "DROP ROLE IF EXISTS " + LOGIN, "DROP ROLE IF EXISTS " + READER);
    }

    @Test
    void theResponderReadsWhatItNeedsAndNothingElse() throws Exception {
        String url = database();
        migrate(url, true);
        fixtures(url);
        try (ApplicationContext ctx = responder(url)) {
            assertTrue(ctx.getBean(Store.Issuers.class).findById(ISSUER).isPresent());
            assertEquals(1, ctx.getBean(Store.Issuers.class).caCertificates().size());
            assertTrue(ctx.getBean(Store.Issuers.class).active("issuing").isPresent());
            assertEquals(
                    "valid",
                    ctx.getBean(Store.Statuses.class)
                            .find("0a", ISSUER)
                            .orElseThrow()
                            .status());
            assertEquals(
                    "good",
                    ctx.getBean(Store.Presigned.class)
                            .find("0a", "sha1", ISSUER)
                            .orElseThrow()
                            .status());
            assertEquals(List.of("0a"), ctx.getBean(Store.Presigned.class).someSerials(ISSUER));
            assertEquals(
                    7L,
                    ctx.getBean(Store.Crls.class)
                            .latest(ISSUER)
                            .orElseThrow()
                            .key()
                            .crlNumber());
        }
        for (String denied : List.of(
                "SELECT hmac_key FROM acme_eab_keys",
                "SELECT kid FROM acme_eab_keys",
                "SELECT secret_hash FROM install_tokens",
                "SELECT * FROM audit_log",
                "SELECT * FROM audit_pending",
                "SELECT * FROM audit_head",
                "SELECT jwk FROM acme_accounts",
                "SELECT * FROM acme_orders",
                "SELECT * FROM services",
                "SELECT * FROM job_locks",
                "SELECT * FROM flyway_schema_history",
                "SELECT dns_names FROM certificates",
                "SELECT certificate_der FROM certificates",
                "SELECT * FROM certificates",
                "SELECT key_alias FROM ca_certificates",
                "UPDATE ocsp_responses SET status = 'revoked'",
                "DELETE FROM crls",
                "INSERT INTO certificates (serial) VALUES ('0b')")) {
            SQLException e = assertThrows(SQLException.class, () -> sql(as(url, LOGIN), denied), denied);
            assertEquals("42501", e.getSQLState(), denied + ": " + e.getMessage());
        }
        assertEquals(List.of(), readableBeyondTheList(url));
    }

    @Test
    void grantsAnEarlierDeploymentGaveTheResponderAreTakenBack() throws Exception {
        String url = database();
        migrate(url, false);
        fixtures(url);
        // what the playbook did before: every table, now and later, to the responder's login role
        sql(
                url,
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + LOGIN,
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO " + LOGIN);
        assertEquals("1", first(as(url, LOGIN), "SELECT count(*) FROM acme_eab_keys"), "the old grant reads EAB keys");

        migrate(url, true); // nothing to migrate: the callback runs all the same
        assertEquals(List.of(), readableBeyondTheList(url));
        assertEquals("0", first(url, "SELECT count(*) FROM pg_default_acl"), "no default privileges left");
        sql(url, "CREATE TABLE later_secrets (k text)");
        SQLException e = assertThrows(SQLException.class, () -> sql(as(url, LOGIN), "SELECT * FROM later_secrets"));
        assertEquals("42501", e.getSQLState());
        assertEquals("1", first(as(url, LOGIN), "SELECT count(*) FROM ocsp_responses"));
    }

    @Test
    void lostGrantsComeBackAndAFullSetChangesNothing() throws Exception {
        String url = database();
        migrate(url, true);
        fixtures(url);
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(List.of(), new ResponderGrants(READER).apply(c), "a second run changes nothing");
        }
        // a restore with --no-privileges, or a table-level grant made by hand
        sql(
                url,
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + READER,
                "GRANT SELECT ON TABLE install_tokens, ca_certificates TO " + READER);
        assertEquals("0", first(as(url, LOGIN), "SELECT count(*) FROM install_tokens"));
        migrate(url, true);
        assertEquals(List.of(), readableBeyondTheList(url));
        assertEquals("1", first(as(url, LOGIN), "SELECT count(*) FROM ocsp_responses"));
        assertEquals(ISSUER, first(as(url, LOGIN), "SELECT id FROM ca_certificates"));
    }

    @Test
    void withoutTheRoleNothingIsGranted() throws Exception {
        String url = database();
        migrate(url, false);
        try (Connection c = DriverManager.getConnection(url)) {
            assertEquals(List.of(), new ResponderGrants("no_such_role_" + SUFFIX).apply(c));
        }
        String h2 = "jdbc:h2:mem:grants-" + SUFFIX + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        Flyway.configure()
                .dataSource(h2, "sa", "")
                .locations("classpath:db/migration")
                .load()
                .migrate(); // H2: skipped
        assertFalse(ResponderGrants.READS.isEmpty());
    }

    /** "table.column" the login role can read (by any route) that {@link ResponderGrants#READS} does not list, and
     *  "table:privilege" for any table-wide privilege it holds. */
    static List<String> readableBeyondTheList(String url) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                     SELECT c.relname, a.attname, has_column_privilege('%1$s', c.oid, a.attnum, 'SELECT'),
                            has_table_privilege('%1$s', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
                     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0
                       AND NOT a.attisdropped ORDER BY 1, 2""".formatted(LOGIN))) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                String table = rs.getString(1);
                String column = rs.getString(2);
                boolean listed =
                        ResponderGrants.READS.getOrDefault(table, List.of()).contains(column);
                if (rs.getBoolean(3) != listed) {
                    out.add(table + "." + column + (listed ? " (listed, not readable)" : ""));
                }
                if (rs.getBoolean(4)) {
                    out.add(table + ":table-wide");
                }
            }
            assertTrue(rows > 100, "the schema's columns were checked: " + rows);
        }
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                     SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname = 'public'
                       AND CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('%s', c.oid, 'SELECT, USAGE, UPDATE') END
                     """.formatted(LOGIN))) {
            while (rs.next()) {
                out.add(rs.getString(1) + ":sequence");
            }
        }
        return out.stream().distinct().toList();
    }

    static ApplicationContext responder(String url) {
        return ApplicationContext.run(Map.<String, Object>of(
                "datasources.default.url",
                as(url, LOGIN),
                "datasources.default.driver-class-name",
                "org.postgresql.Driver",
                "datasources.default.username",
                LOGIN,
                "datasources.default.password",
                ""));
    }

    /** Flyway finds the callback by itself; a role of this test's own is named as a deployment may name another. */
    static void migrate(String url, boolean withGrants) {
        String role = withGrants ? READER : "no_such_role_" + SUFFIX;
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .placeholders(Map.of(ResponderGrants.ROLE_PLACEHOLDER, role))
                .load()
                .migrate();
    }

    static String database() throws SQLException {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        sql(admin, "CREATE DATABASE " + name);
        DATABASES.add(name);
        return admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
    }

    static void fixtures(String url) throws SQLException {
        sql(
                url,
                "INSERT INTO ca_certificates (id, role, key_alias, subject_dn, serial, key_algorithm, name_hash_sha1, "
                        + "key_hash_sha1, name_hash_sha256, key_hash_sha256, not_before, not_after, certificate_der, active, "
                        + "active_role, created_at) VALUES ('" + ISSUER
                        + "', 'issuing', 'k', 'CN=ca', '1', 'EC', 'a', 'b', "
                        + "'c', 'd', now(), now(), '\\x00', TRUE, 'issuing', now())",
                "INSERT INTO certificates (serial, issuer_id, subject_dn, dns_names, ip_addresses, profile, status, "
                        + "not_before, not_after, certificate_der, created_at) VALUES ('0a', '" + ISSUER
                        + "', 'CN=x', 'x.example', '', 'p', 'valid', now(), now(), '\\x00', now())",
                "INSERT INTO ocsp_responses VALUES ('0a', 'sha1', '" + ISSUER + "', 'good', now(), now(), '\\x01')",
                "INSERT INTO crls VALUES ('" + ISSUER + "', 7, now(), now(), 0, '\\x02')",
                "INSERT INTO acme_eab_keys (kid, hmac_key, service, profile, allowed_dns, created_at, created_by) "
                        + "VALUES ('kid', 'secret', 's', 'p', '', now(), 'admin')");
    }

    /** The URL for another role (the test cluster trusts local connections). */
    static String as(String url, String user) {
        return url.replaceFirst("([?&])user=[^&]*", "$1user=" + user);
    }

    static void sql(String url, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    static String first(String url, String select) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(select)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
