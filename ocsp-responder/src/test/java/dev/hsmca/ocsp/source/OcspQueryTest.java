package dev.hsmca.ocsp.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class OcspQueryTest {
    /** The store's serials are BigInteger.toString(16): the fast text must be the same for every value. */
    @Property(tries = 2000)
    void serialTextIsBigIntegersHex(@ForAll @Size(max = 40) byte[] bytes) {
        BigInteger serial = bytes.length == 0 ? BigInteger.ZERO : new BigInteger(bytes);
        assertEquals(serial.toString(16), OcspQuery.hex(serial));
        assertEquals(serial.abs().toString(16), OcspQuery.hex(serial.abs()));
    }

    @Property(tries = 500)
    void leadingZeroBytesAndNibblesAreDropped(@ForAll @Size(min = 1, max = 20) byte[] bytes) {
        BigInteger serial = new BigInteger(1, bytes);
        assertEquals(serial.toString(16), OcspQuery.hex(serial));
    }

    @Test
    void eachCertIdHasItsSerial() throws Exception {
        OcspQuery q = new OcspQuery(List.of(RequestParserTest.id(0x0abc), RequestParserTest.id(7)), null);
        assertEquals(List.of("abc", "7"), q.serials());
        assertEquals("abc", q.serial());
        assertThrows(
                IllegalArgumentException.class,
                () -> new OcspQuery(List.of(RequestParserTest.id(1)), null, List.of("1", "2")));
    }
}
