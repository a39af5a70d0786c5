import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * make deploy-check: one connection made the way the deployed servers make theirs (pgjdbc, the JDBC URL as deployed).
 * Run with a server jar on the class path: java -cp ocsp-responder.jar DbLinkProbe.java URL USER SQL (password in
 * PGPASSWORD). Prints the query's first value, or "refused: " and the driver's message and exits 1.
 */
public final class DbLinkProbe {
    private DbLinkProbe() {
    }

    public static void main(String[] args) {
        try (Connection c = DriverManager.getConnection(args[0], args[1], System.getenv("PGPASSWORD"));
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(args[2])) {
            System.out.println(rs.next() ? rs.getString(1) : "");
        } catch (SQLException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("refused: " + e.getMessage() + " (" + root + ")");
            System.exit(1);
        }
    }
}
