package dev.hsmca.ocsp.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** RFC 5019 GET: the request's DER from the raw path, however a client spelled its base64. */
class GetPathTest {
    /** Bytes whose base64 has '+', '/' and '=' in it, the characters clients escape differently. */
    static final byte[] DER = {(byte) 0xfb, (byte) 0xff, (byte) 0xbf, 0x30, 0x03, (byte) 0xfe, 0x01};

    @Test
    void standardBase64PlainOrEscapedWithOrWithoutTheOcspPrefix() {
        String b64 = Base64.getEncoder().encodeToString(DER);
        String escaped = URLEncoder.encode(b64, StandardCharsets.US_ASCII);
        assertArrayEquals(DER, OcspController.requestFromPath("/" + b64));
        assertArrayEquals(DER, OcspController.requestFromPath("/" + escaped));
        assertArrayEquals(DER, OcspController.requestFromPath("/ocsp/" + b64));
        assertArrayEquals(DER, OcspController.requestFromPath("/ocsp/" + escaped));
        // a '+' that was decoded to a space on the way
        assertArrayEquals(DER, OcspController.requestFromPath("/" + b64.replace('+', ' ')));
        // only some characters escaped, as some clients do ('+' kept, '/' and '=' escaped)
        assertArrayEquals(DER, OcspController.requestFromPath("/" + b64.replace("/", "%2F").replace("=", "%3D")));
        // lower-case escapes
        assertArrayEquals(DER, OcspController.requestFromPath("/" + b64.replace("+", "%2b").replace("/", "%2f").replace("=", "%3d")));
    }

    @Test
    void urlSafeBase64() {
        String b64 = Base64.getUrlEncoder().encodeToString(DER);
        assertArrayEquals(DER, OcspController.requestFromPath("/" + b64));
        assertArrayEquals(DER, OcspController.requestFromPath("/" + Base64.getUrlEncoder().withoutPadding().encodeToString(DER)));
    }

    @Test
    void emptyTooLongOrNotBase64IsRefused() {
        assertNull(OcspController.requestFromPath("/"));
        assertNull(OcspController.requestFromPath("/ocsp/"));
        assertNull(OcspController.requestFromPath("/" + "A".repeat(OcspController.MAX_GET_CHARS + 4)));
        assertNull(OcspController.requestFromPath("/not*base64"));
        assertNull(OcspController.requestFromPath("/%zz"));
        assertNull(OcspController.requestFromPath("/MAP%2"));
        assertNull(OcspController.requestFromPath("/MAP\u00e9"));
        assertNull(OcspController.requestFromPath("/MAP%C3%A9"));
    }
}
