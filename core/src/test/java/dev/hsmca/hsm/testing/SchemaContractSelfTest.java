package dev.hsmca.hsm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The contract check finds a column the migrations do not make, and a table they do not have. */
class SchemaContractSelfTest {
    @Retention(RetentionPolicy.RUNTIME)
    @interface MappedEntity {
        String value();
    }

    @MappedEntity("crls")
    record Good(String caId, long crlNumber, byte[] crlDer) {}

    @MappedEntity("crls")
    record Drifted(String caId, long crlNumber, String signerName) {}

    @MappedEntity("no_such_table")
    record Nowhere(String id) {}

    @Test
    void findsWhatIsMissing() throws Exception {
        assertEquals(List.of(), SchemaContract.missingColumns(Good.class));
        assertEquals(
                List.of("crls.signer_name", "no_such_table (no such table)"),
                SchemaContract.missingColumns(Drifted.class, Nowhere.class));
    }
}
