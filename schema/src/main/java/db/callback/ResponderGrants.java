package db.callback;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogFactory;

/**
 * What an OCSP responder may read, kept exactly so after every migration (PostgreSQL only; H2 is one process's and
 * has no responder role). The deployment makes a NOLOGIN role, {@value #READER_ROLE}, and puts each responder's login
 * role in it; after each migrate (at every appliance start) this grants that role SELECT on the columns in
 * {@link #READS} and nothing else, and takes back whatever its members hold on their own in the schema (earlier
 * deployments granted them SELECT on every table, EAB HMAC keys and install token hashes included, and on every
 * table created later). Run after each migrate rather than once, so a database restored without its privileges
 * ({@code pg_restore --no-privileges}) or a role made after the schema gets its grants at the next start; a check
 * comes first, so a start with nothing to change writes nothing. Without the role it does nothing.
 *
 * <p>Flyway finds it by itself (its default callback location is {@code db/callback}), so every Flyway that runs
 * the migrations runs it: the appliance's, and the tests'. It runs as the role that migrates (the tables' owner),
 * which may grant on them without being a superuser.
 */
public final class ResponderGrants implements Callback {
    public static final String READER_ROLE = "pki_ocsp_reader";
    /**
     * A Flyway placeholder naming another reader role ({@code flyway.datasources.default.placeholders.responder-role}
     * in the appliance); Flyway makes this callback itself, with no arguments.
     */
    public static final String ROLE_PLACEHOLDER = "responder_role";

    /**
     * Table → the columns the responder's queries name (ocsp-responder's {@code store/Store.java} and its row records).
     * A query naming any other column fails with permission denied: widen this list with the query.
     */
    public static final Map<String, List<String>> READS = reads();

    private static final Log LOG = LogFactory.getLog(ResponderGrants.class);
    /** Two appliances starting at once would update the same catalog rows ("tuple concurrently updated"). */
    private static final long LOCK_KEY = 0x6873_6d63_6167_7231L;

    private final String role;

    public ResponderGrants() {
        this(READER_ROLE);
    }

    /** @param role the reader role */
    public ResponderGrants(String role) {
        this.role = Objects.requireNonNull(role);
    }

    private static Map<String, List<String>> reads() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(
                "ca_certificates",
                List.of(
                        "id",
                        "role",
                        "parent_id",
                        "serial",
                        "name_hash_sha1",
                        "key_hash_sha1",
                        "name_hash_sha256",
                        "key_hash_sha256",
                        "not_after",
                        "certificate_der",
                        "active"));
        m.put("certificates", List.of("serial", "issuer_id", "status", "not_after", "revoked_at", "revocation_reason"));
        m.put(
                "ocsp_responses",
                List.of(
                        "serial",
                        "hash_algorithm",
                        "issuer_id",
                        "status",
                        "this_update",
                        "next_update",
                        "response_der"));
        m.put("crls", List.of("ca_id", "crl_number", "this_update", "next_update", "entries", "crl_der"));
        m.put("crl_parts", List.of("ca_id", "part", "crl_number", "this_update", "next_update", "entries", "crl_der"));
        return Collections.unmodifiableMap(m);
    }

    /** One privilege a role holds of its own on a relation (TABLE or SEQUENCE; column null) or on one column of it. */
    record Held(String grantee, String kind, String table, String column, String privilege) {}

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        try {
            String named = context.getConfiguration().getPlaceholders().entrySet().stream()
                    .filter(e -> e.getKey().replace('-', '_').equalsIgnoreCase(ROLE_PLACEHOLDER))
                    .map(Map.Entry::getValue)
                    .findFirst()
                    .orElse(role);
            new ResponderGrants(named).apply(context.getConnection());
        } catch (SQLException e) {
            throw new FlywayException("could not set the OCSP responder's privileges: " + e.getMessage(), e);
        }
    }

    @Override
    public String getCallbackName() {
        return "responder-grants";
    }

    /** Brings the reader role's privileges to {@link #READS}; returns the statements it ran (none when already so). */
    public List<String> apply(Connection c) throws SQLException {
        if (!"PostgreSQL".equals(c.getMetaData().getDatabaseProductName()) || !roleExists(c)) {
            return List.of();
        }
        lock(c);
        List<String> members = members(c);
        Set<Held> wanted = wanted(c);
        List<Held> held = held(c, members);
        // revoking a table-level privilege takes the role's column privileges on that table with it: grant them anew
        Set<String> whole = new LinkedHashSet<>();
        held.stream()
                .filter(h -> h.grantee().equals(role) && h.column() == null)
                .forEach(h -> whole.add(h.table()));
        List<String> plan = new ArrayList<>();
        for (Held h : held) {
            boolean stays =
                    h.column() != null && !(h.grantee().equals(role) && whole.contains(h.table())) && wanted.remove(h);
            if (!stays) {
                plan.add(revoke(h));
            }
        }
        plan.addAll(grants(wanted));
        plan.addAll(defaultsToRevoke(c, members));
        try (Statement s = c.createStatement()) {
            for (String sql : plan) {
                s.execute(sql);
            }
        }
        if (!plan.isEmpty()) {
            LOG.info("OCSP responder privileges (role " + role + "): " + String.join("; ", plan));
        }
        return plan;
    }

    private boolean roleExists(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            s.setString(1, role);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void lock(Connection c) throws SQLException {
        // in a transaction (Flyway's): held to its end; else the session's, until this connection is closed
        String fn = c.getAutoCommit() ? "pg_advisory_lock" : "pg_advisory_xact_lock";
        try (Statement s = c.createStatement()) {
            s.execute("SELECT " + fn + "(" + LOCK_KEY + ")");
        }
    }

    /** The reader's direct members: each responder's login role (never the current user, which owns the tables). */
    private List<String> members(Connection c) throws SQLException {
        return strings(c, """
                SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member
                WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = ?) AND r.rolname <> current_user
                ORDER BY 1""", role);
    }

    /** SELECT on each column of {@link #READS}, for the tables that exist in the current schema. */
    private Set<Held> wanted(Connection c) throws SQLException {
        Set<String> tables = new LinkedHashSet<>(strings(c, """
                SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')""", null));
        Set<Held> out = new LinkedHashSet<>();
        READS.forEach((table, columns) -> {
            if (tables.contains(table)) {
                columns.forEach(column -> out.add(new Held(role, "TABLE", table, column, "SELECT")));
            }
        });
        return out;
    }

    /** What the reader and its members hold of their own on relations of the current schema (not their owners). */
    private List<Held> held(Connection c, List<String> members) throws SQLException {
        List<String> grantees = new ArrayList<>(members);
        grantees.add(role);
        String sql = """
                SELECT r.rolname, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.relname, NULL,
                       a.privilege_type
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
                WHERE n.nspname = current_schema() AND a.grantee <> c.relowner AND r.rolname = ANY (?)
                UNION ALL
                SELECT r.rolname, 'TABLE', c.relname, t.attname, a.privilege_type
                FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                CROSS JOIN LATERAL aclexplode(t.attacl) a JOIN pg_roles r ON r.oid = a.grantee
                WHERE n.nspname = current_schema() AND t.attnum > 0 AND NOT t.attisdropped AND a.grantee <> c.relowner
                  AND r.rolname = ANY (?)""";
        List<Held> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            Array names = c.createArrayOf("text", grantees.toArray());
            s.setArray(1, names);
            s.setArray(2, names);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new Held(
                            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return out;
    }

    private static String revoke(Held h) {
        String on = h.column() == null ? "" : " (" + id(h.column()) + ")";
        return "REVOKE " + h.privilege() + on + " ON " + h.kind() + " " + id(h.table()) + " FROM " + id(h.grantee());
    }

    private List<String> grants(Set<Held> missing) {
        Map<String, List<String>> byTable = new LinkedHashMap<>();
        missing.forEach(
                h -> byTable.computeIfAbsent(h.table(), t -> new ArrayList<>()).add(id(h.column())));
        List<String> out = new ArrayList<>();
        byTable.forEach((table, columns) ->
                out.add("GRANT SELECT (" + String.join(", ", columns) + ") ON TABLE " + id(table) + " TO " + id(role)));
        return out;
    }

    /** The current user's default privileges that would give the reader or its members tables or sequences made later. */
    private List<String> defaultsToRevoke(Connection c, List<String> members) throws SQLException {
        List<String> grantees = new ArrayList<>(members);
        grantees.add(role);
        String sql = """
                SELECT DISTINCT n.nspname, d.defaclobjtype, r.rolname
                FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
                CROSS JOIN LATERAL aclexplode(d.defaclacl) a JOIN pg_roles r ON r.oid = a.grantee
                WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                  AND d.defaclobjtype IN ('r', 'S') AND r.rolname = ANY (?)""";
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setArray(1, c.createArrayOf("text", grantees.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String in = rs.getString(1) == null ? "" : " IN SCHEMA " + id(rs.getString(1));
                    String objects = "r".equals(rs.getString(2)) ? "TABLES" : "SEQUENCES";
                    out.add("ALTER DEFAULT PRIVILEGES" + in + " REVOKE ALL ON " + objects + " FROM "
                            + id(rs.getString(3)));
                }
            }
        }
        return out;
    }

    private static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (parameter != null) {
                s.setString(1, parameter);
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** A quoted SQL identifier. */
    static String id(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
