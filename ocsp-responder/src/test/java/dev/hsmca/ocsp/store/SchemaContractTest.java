package dev.hsmca.ocsp.store;

import dev.hsmca.hsm.testing.SchemaContract;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The responder reads the appliance's tables: its row records must match the shared migrations. */
class SchemaContractTest {
    @Test
    void responderRecordsMatchTheMigrations() throws Exception {
        assertEquals(List.of(), SchemaContract.missingColumns(IssuerRow.class, StatusRow.class, PresignedRow.class,
                CrlRow.class));
    }
}
