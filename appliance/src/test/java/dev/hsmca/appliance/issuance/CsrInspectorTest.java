package dev.hsmca.appliance.issuance;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.domain.PkiException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsrInspectorTest {
    private final CsrInspector inspector = new CsrInspector();

    @Test
    void acceptsAGoodEcCsr() {
        InspectedCsr csr = inspector.inspect(Api.resource("csr/ec-p256.csr"));
        assertEquals("svc.example.com", csr.commonName());
        assertEquals(List.of("svc.example.com", "api.example.com"), csr.dnsNames());
        assertEquals(List.of("10.1.2.3"), csr.ipAddresses());
        assertEquals("ec-p256", csr.keyDescription());
    }

    @ParameterizedTest
    @CsvSource({
            "csr/rsa-1024.csr, weak_key",
            "csr/ec-p521.csr, weak_key",
            "csr/bad-signature.csr, csr_signature_invalid",
            "csr/bad-san.csr, invalid_san",
            "csr/email-san.csr, unsupported_san"})
    void refusesBadCsrs(String fixture, String code) {
        PkiException e = assertThrows(PkiException.class, () -> inspector.inspect(Api.resource(fixture)));
        assertEquals(code, e.code(), e.getMessage());
    }

    @Test
    void refusesGarbage() {
        assertEquals("invalid_csr", assertThrows(PkiException.class, () -> inspector.inspect("hello")).code());
        assertEquals("missing_csr", assertThrows(PkiException.class, () -> inspector.inspect(" ")).code());
        String cert = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assertEquals("invalid_csr", assertThrows(PkiException.class, () -> inspector.inspect(cert)).code());
    }
}
