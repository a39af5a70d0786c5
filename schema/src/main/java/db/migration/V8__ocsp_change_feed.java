package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Statement;

/**
 * PostgreSQL only: a change to a stored pre-signed response (revocation, refresh, removal) is announced on the
 * channel {@code ocsp_responses} as "issuer_id serial", delivered to listeners when its transaction commits. Responders
 * keep pre-signed responses in memory and drop them on the announcement, so a revocation is served at once.
 * Inserts are not announced: a new certificate's responses are in no cache yet (misses are not cached), and
 * announcing them would serialize issuance commits on the notification queue's lock. H2 gets nothing: it is one
 * process's, so no responder reads it while the appliance writes.
 */
public class V8__ocsp_change_feed extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        if (!"PostgreSQL".equals(context.getConnection().getMetaData().getDatabaseProductName())) {
            return;
        }
        try (Statement s = context.getConnection().createStatement()) {
            s.execute("""
                    CREATE FUNCTION ocsp_responses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF TG_OP = 'DELETE' THEN
                        PERFORM pg_notify('ocsp_responses', OLD.issuer_id || ' ' || OLD.serial);
                      ELSE
                        PERFORM pg_notify('ocsp_responses', NEW.issuer_id || ' ' || NEW.serial);
                      END IF;
                      RETURN NULL;
                    END $$""");
            s.execute("""
                    CREATE TRIGGER ocsp_responses_changed AFTER UPDATE OR DELETE ON ocsp_responses
                    FOR EACH ROW EXECUTE FUNCTION ocsp_responses_changed()""");
        }
    }
}
