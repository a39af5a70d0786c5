package dev.hsmca.hsm.testing;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.RecordComponent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * The schema is the contract between the two servers: each server's row records ({@code @MappedEntity} records,
 * read by their annotations' names so this needs no framework) are checked column by column against a database
 * migrated by the shared migrations. A record naming a column the migrations do not make fails here, not in
 * production.
 */
public final class SchemaContract {
    private SchemaContract() {}

    /** "table.column" for every mapped column the migrated schema lacks (empty when all are there). */
    public static List<String> missingColumns(Class<?>... entities) throws Exception {
        String url = "jdbc:h2:mem:contract-" + UUID.randomUUID()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        Flyway.configure()
                .dataSource(url, "sa", "")
                .locations("classpath:db/migration")
                .load()
                .migrate();
        List<String> missing = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
            for (Class<?> entity : entities) {
                String table = annotationValue(entity, "MappedEntity");
                if (table == null || table.isEmpty()) {
                    throw new IllegalArgumentException(entity.getName() + " is not a @MappedEntity with a table name");
                }
                Set<String> columns = columns(c, table);
                if (columns.isEmpty()) {
                    missing.add(table + " (no such table)");
                    continue;
                }
                for (String column : mapped(entity)) {
                    if (!columns.contains(column)) {
                        missing.add(table + "." + column);
                    }
                }
            }
        }
        return missing;
    }

    private static Set<String> columns(Connection c, String table) throws Exception {
        Set<String> out = new HashSet<>();
        try (PreparedStatement s =
                c.prepareStatement("SELECT column_name FROM information_schema.columns WHERE LOWER(table_name) = ?")) {
            s.setString(1, table.toLowerCase(Locale.ROOT));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    private static List<String> mapped(Class<?> record) {
        List<String> out = new ArrayList<>();
        for (RecordComponent rc : record.getRecordComponents()) {
            if (has(rc, "EmbeddedId")
                    || has(rc, "Embeddable")
                    || (rc.getType().isRecord() && has(rc.getType(), "Embeddable"))) {
                out.addAll(mapped(rc.getType()));
                continue;
            }
            String named = annotationValue(rc, "MappedProperty");
            out.add(named != null && !named.isEmpty() ? named : snake(rc.getName()));
        }
        return out;
    }

    private static boolean has(AnnotatedElement e, String simpleName) {
        for (Annotation a : e.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals(simpleName)) {
                return true;
            }
        }
        return false;
    }

    private static String annotationValue(AnnotatedElement e, String simpleName) {
        for (Annotation a : e.getAnnotations()) {
            if (a.annotationType().getSimpleName().equals(simpleName)) {
                try {
                    return String.valueOf(a.annotationType().getMethod("value").invoke(a));
                } catch (ReflectiveOperationException ex) {
                    return null;
                }
            }
        }
        return null;
    }

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
