package db.migration;

import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: a change to a pre-signed response (revocation, refresh, removal) or to a certificate's row
 * (revocation) is announced as "issuer_id serial" on a channel named after the table, delivered to listeners when its
 * transaction commits. Responders keep such rows in memory and drop them on the announcement, so a revocation is
 * served at once. Inserts are not announced: a new row is in no cache yet (misses are not cached), and announcing
 * them would serialize issuance commits on the notification queue's lock. H2 gets nothing: it is one process's, so
 * no responder reads it while the appliance writes.
 */
public class V8__change_feed extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        if (!"PostgreSQL".equals(context.getConnection().getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("""
                    CREATE FUNCTION announce_change() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify(TG_TABLE_NAME, OLD.issuer_id || ' ' || OLD.serial);
                      ELSE
                        PERFORM pg_notify(TG_TABLE_NAME, NEW.issuer_id || ' ' || NEW.serial);
                      END IF;
                      RETURN NULL;
                    END $$""");
            for (String table : new String[] {"ocsp_responses", "certificates"}) {
                s.execute("CREATE TRIGGER " + table + "_changed AFTER UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION announce_change()");
            }
        }
    }
}
