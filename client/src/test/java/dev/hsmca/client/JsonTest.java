package dev.hsmca.client;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void readsWhatTheApiWrites() {
        Map<String, Object> m = Json.object("{\"serial\":\"0a1b\",\"n\":42,\"ok\":true,\"none\":null,\"list\":[\"a\",\"b\"],"
                + "\"pem\":\"-----BEGIN\\nX\\u0041\\\"\\n\",\"d\":1.5}");
        assertEquals("0a1b", m.get("serial"));
        assertEquals(42L, m.get("n"));
        assertEquals(true, m.get("ok"));
        assertEquals(null, m.get("none"));
        assertEquals(List.of("a", "b"), m.get("list"));
        assertEquals("-----BEGIN\nXA\"\n", m.get("pem"));
        assertEquals(1.5, m.get("d"));
    }

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("csr", "line1\nline2 \"quoted\" \\ tab\t");
        m.put("revoke_old", false);
        m.put("names", List.of("a.example", "10.0.0.1"));
        assertEquals(m, Json.parse(Json.write(m)));
    }

    @Test
    void refusesGarbage() {
        for (String bad : new String[]{"", "{", "{\"a\" 1}", "[1,", "{\"a\":1} x", "\"unterminated", "nul"}) {
            assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
        }
    }
}
