package dev.hsmca.appliance.ocsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.context.ApplicationContext;
import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** Pre-signed responses are re-signed once they pass half their validity, and only then. */
class OcspRefreshTest {

    @Test
    void resignsAtHalfLife() throws Exception {
        TestAppliance app = TestAppliance.h2().initialize();
        try (ApplicationContext ctx = app.context()) {
            OcspPresigner presigner = ctx.getBean(OcspPresigner.class);
            assertEquals(0, presigner.refresh(500), "fresh after ca init");

            DataSource ds = DelegatingDataSource.unwrapDataSource(ctx.getBean(DataSource.class));
            try (Connection c = ds.getConnection();
                    var s = c.createStatement()) {
                s.execute("UPDATE ocsp_responses SET next_update = DATEADD('HOUR', 1, CURRENT_TIMESTAMP)");
            }
            int certificates = presigner.refresh(500);
            assertTrue(certificates >= 3, "tls, admin and monitoring certificates: " + certificates);
            try (Connection c = ds.getConnection();
                    var s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT MIN(next_update) FROM ocsp_responses")) {
                rs.next();
                assertTrue(rs.getTimestamp(1).toInstant().isAfter(Instant.now().plusSeconds(90 * 3600)));
            }
            assertEquals(0, presigner.refresh(500), "nothing stale any more");
        }
    }
}
