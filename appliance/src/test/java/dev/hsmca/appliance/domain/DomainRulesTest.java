package dev.hsmca.appliance.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hsmca.appliance.store.CertificateRecord;
import dev.hsmca.core.CertificateStatus;
import dev.hsmca.hsm.HsmException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Domain rules that need no HSM, database or server: fixed instants, plain objects. */
class DomainRulesTest {
    static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

    static CertificateRecord record(Duration life, Instant renewRequestedAt) {
        return new CertificateRecord(
                "0a",
                "issuing-1",
                "CN=x",
                "x.example",
                "",
                "tls-server",
                "svc",
                CertificateStatus.VALID,
                T0,
                T0.plus(life),
                null,
                null,
                new byte[0],
                T0,
                null,
                renewRequestedAt,
                null,
                null,
                null,
                null);
    }

    @Test
    void lifetimesAsPeopleWriteThem() {
        assertEquals(Duration.ofMinutes(10), Validity.parse("10m"));
        assertEquals(Duration.ofHours(24), Validity.parse("24h"));
        assertEquals(Duration.ofDays(90), Validity.parse("90d"));
        assertEquals(Duration.ofMinutes(90), Validity.parse("1h30m"));
        for (String bad : new String[] {"", "10", "m", "ten minutes", "-5m", "1y", "10 m"}) {
            PkiException e = assertThrows(PkiException.class, () -> Validity.parse(bad), bad);
            assertEquals("invalid_validity", e.code());
            assertEquals(PkiException.Kind.MALFORMED, e.kind());
        }
        assertEquals("90d", Validity.format(Duration.ofDays(90)));
        assertEquals("36h", Validity.format(Duration.ofHours(36)));
        assertEquals("5m", Validity.format(Duration.ofMinutes(5)));
        assertEquals("90s", Validity.format(Duration.ofSeconds(90)));
    }

    @Test
    void theRenewalWindowIsTwoThirdsToFiveSixths() {
        RenewalWindow w = RenewalWindow.of(record(Duration.ofDays(90), null));
        assertEquals(T0.plus(Duration.ofDays(60)), w.start());
        assertEquals(T0.plus(Duration.ofDays(75)), w.end());
        assertFalse(w.open(T0.plus(Duration.ofDays(59))));
        assertTrue(w.open(T0.plus(Duration.ofDays(60))));
    }

    @Test
    void anAdminMovesTheWindowToNow() {
        Instant asked = T0.plus(Duration.ofDays(3));
        RenewalWindow w = RenewalWindow.of(record(Duration.ofDays(90), asked));
        assertEquals(asked, w.start());
        assertEquals(asked.plus(Duration.ofHours(1)), w.end(), "open for an hour (a twelfth of a short lifetime)");
        assertTrue(w.open(asked));
        RenewalWindow late = RenewalWindow.of(record(Duration.ofDays(90), T0.plus(Duration.ofDays(70))));
        assertEquals(T0.plus(Duration.ofDays(60)), late.start(), "a request after the window opened changes nothing");
    }

    @Test
    void failuresAreClassifiedByWhatTheCallerCanDo() {
        PkiException refusal = PkiException.forbidden("name_not_allowed", "no");
        assertSame(refusal, Failures.classify(new RuntimeException("wrapped", refusal)));
        assertEquals(
                Failures.HSM_UNAVAILABLE,
                Failures.classify(new IllegalStateException(new HsmException("gone")))
                        .code());
        assertEquals(
                PkiException.Kind.UNAVAILABLE,
                Failures.classify(new RuntimeException(new SQLException("down")))
                        .kind());
        assertEquals(
                Failures.STORE_UNAVAILABLE,
                Failures.classify(new RuntimeException(new SQLException("down")))
                        .code());
        PkiException other = Failures.classify(new NullPointerException());
        assertEquals(PkiException.Kind.INTERNAL, other.kind());
        assertEquals(Failures.INTERNAL_ERROR, other.code());
    }

    @Test
    void badSettingsNameTheirKey() {
        Settings.Invalid e =
                assertThrows(Settings.Invalid.class, () -> Settings.atLeast("pki.crl.validity-days", 0, 1));
        assertTrue(e.getMessage().contains("pki.crl.validity-days"), e.getMessage());
        assertThrows(Settings.Invalid.class, () -> Settings.positive("pki.crl.publish-delay", Duration.ZERO));
    }
}
