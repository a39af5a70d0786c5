package dev.hsmca.ocsp.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.hsm.testing.SchemaContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The responder reads the appliance's tables: its row records must match the shared migrations. */
class SchemaContractTest {
    @Test
    void responderRecordsMatchTheMigrations() throws Exception {
        assertEquals(
                List.of(),
                SchemaContract.missingColumns(IssuerRow.class, StatusRow.class, PresignedRow.class, CrlRow.class));
    }
}
