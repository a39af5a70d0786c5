package dev.hsmca.appliance.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/** The two stores the appliance supports: H2 in a file, and PostgreSQL (a fresh database per call). */
public final class TestDatabases {
    public static final String PG_URL_VARIABLE = "PKI_TEST_PG_URL";

    private TestDatabases() {}

    public record Database(String url, Map<String, String> properties) {}

    /** The options the appliance ships with (application.yml): one process owns the file, no AUTO_SERVER. */
    public static final String H2_OPTIONS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE";

    /** An embedded H2 file: only one process (the appliance, or later a responder alone) may open it. */
    public static Database h2(Path dir) {
        String url = "jdbc:h2:file:" + dir.resolve("db/pki").toAbsolutePath() + H2_OPTIONS;
        return new Database(
                url,
                Map.of(
                        "datasources.default.url",
                        url,
                        "datasources.default.driver-class-name",
                        "org.h2.Driver",
                        "datasources.default.username",
                        "sa",
                        "datasources.default.password",
                        ""));
    }

    /** A new, empty database in the PostgreSQL that {@code make test} started. */
    public static Database freshPostgres() {
        String admin = System.getenv(PG_URL_VARIABLE);
        if (admin == null || admin.isBlank()) {
            throw new IllegalStateException(PG_URL_VARIABLE + " is not set: run the suite with 'make test', "
                    + "which starts a throwaway PostgreSQL");
        }
        return freshPostgres(admin);
    }

    /** A new, empty database in the PostgreSQL at this admin URL ({@code .../postgres?user=...}). */
    public static Database freshPostgres(String admin) {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database: " + e.getMessage(), e);
        }
        String url = admin.replaceFirst("/postgres(\\?|$)", "/" + name + "$1");
        return new Database(
                url,
                Map.of(
                        "datasources.default.url",
                        url,
                        "datasources.default.driver-class-name",
                        "org.postgresql.Driver",
                        "datasources.default.username",
                        "pki",
                        "datasources.default.password",
                        ""));
    }
}
