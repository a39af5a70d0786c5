package dev.hsmca.appliance.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ACME statuses keep the store's text (RFC 8555's words), so rows written before the enums read the same. */
class AcmeStatusConvertersTest {
    static List<String> texts(AcmeStatus[] values) {
        return Arrays.stream(values).map(AcmeStatus::text).toList();
    }

    @Test
    void eachStatusIsStoredAsItsRfc8555Text() {
        assertEquals(List.of("valid", "deactivated", "revoked"), texts(AcmeAccount.Status.values()));
        assertEquals(List.of("pending", "ready", "processing", "valid", "invalid"), texts(AcmeOrder.Status.values()));
        assertEquals(List.of("pending", "valid", "invalid", "deactivated"), texts(AcmeAuthorization.Status.values()));
        assertEquals(List.of("pending", "processing", "valid", "invalid"), texts(AcmeChallenge.Status.values()));
    }

    @Test
    void textsReadBackAsTheirStatusAndAnUnknownTextIsAnError() {
        var orders = new AcmeStatusConverters.Order();
        for (AcmeOrder.Status s : AcmeOrder.Status.values()) {
            assertEquals(s, orders.convertToEntityValue(orders.convertToPersistedValue(s, null), null));
        }
        assertEquals("processing", orders.convertToPersistedValue(AcmeOrder.Status.PROCESSING, null));
        assertEquals(
                AcmeAccount.Status.REVOKED, new AcmeStatusConverters.Account().convertToEntityValue("revoked", null));
        assertEquals(
                AcmeChallenge.Status.INVALID,
                new AcmeStatusConverters.Challenge().convertToEntityValue("invalid", null));
        assertEquals(
                AcmeAuthorization.Status.DEACTIVATED,
                new AcmeStatusConverters.Authorization().convertToEntityValue("deactivated", null));
        assertThrows(IllegalStateException.class, () -> orders.convertToEntityValue("deactivated", null));
        assertEquals(null, orders.convertToEntityValue(null, null));
    }
}
