package dev.hsmca.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.hsm.testing.SchemaContract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every row record of the appliance maps to columns the shared migrations make. */
class SchemaContractTest {
    @Test
    void applianceRecordsMatchTheMigrations() throws Exception {
        assertEquals(
                List.of(),
                SchemaContract.missingColumns(
                        AuditEntry.class,
                        CaCertificateRecord.class,
                        CertificateRecord.class,
                        CrlRecord.class,
                        CrlState.class,
                        InstallToken.class,
                        JobLockRecord.class,
                        PresignedResponse.class,
                        ServiceRecord.class,
                        AcmeEabKey.class,
                        AcmeAccount.class,
                        AcmeOrder.class,
                        AcmeAuthorization.class,
                        AcmeChallenge.class,
                        AcmeNonce.class,
                        AcmeNonceKey.class));
    }
}
