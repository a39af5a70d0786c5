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
        assertArrayEquals(DER, OcspHttp.requestFromPath("/" + b64));
        assertArrayEquals(DER, OcspHttp.requestFromPath("/" + escaped));
        assertArrayEquals(DER, OcspHttp.requestFromPath("/ocsp/" + b64));
        assertArrayEquals(DER, OcspHttp.requestFromPath("/ocsp/" + escaped));
        // a '+' that was decoded to a space on the way
        assertArrayEquals(DER, OcspHttp.requestFromPath("/" + b64.replace('+', ' ')));
        // only some characters escaped, as some clients do ('+' kept, '/' and '=' escaped)
        assertArrayEquals(
                DER, OcspHttp.requestFromPath("/" + b64.replace("/", "%2F").replace("=", "%3D")));
        // lower-case escapes
        assertArrayEquals(
                DER,
                OcspHttp.requestFromPath(
                        "/" + b64.replace("+", "%2b").replace("/", "%2f").replace("=", "%3d")));
    }

    @Test
    void urlSafeBase64() {
        String b64 = Base64.getUrlEncoder().encodeToString(DER);
        assertArrayEquals(DER, OcspHttp.requestFromPath("/" + b64));
        assertArrayEquals(
                DER,
                OcspHttp.requestFromPath(
                        "/" + Base64.getUrlEncoder().withoutPadding().encodeToString(DER)));
    }

    @Test
    void emptyTooLongOrNotBase64IsRefused() {
        assertNull(OcspHttp.requestFromPath("/"));
        assertNull(OcspHttp.requestFromPath("/ocsp/"));
        assertNull(OcspHttp.requestFromPath("/" + "A".repeat(OcspHttp.MAX_GET_CHARS + 4)));
        assertNull(OcspHttp.requestFromPath("/not*base64"));
        assertNull(OcspHttp.requestFromPath("/%zz"));
        assertNull(OcspHttp.requestFromPath("/MAP%2"));
        assertNull(OcspHttp.requestFromPath("/MAP\u00e9"));
        assertNull(OcspHttp.requestFromPath("/MAP%C3%A9"));
    }
}
