package dev.hsmca.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per rule of RFC 8259's grammar, its errors (with the offset) and the limits. */
class JsonTest {

    static String error(String text) {
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        return assertThrows(IllegalArgumentException.class, () -> Json.parse(text), shown)
                .getMessage();
    }

    @Test
    void readsWhatTheApiWrites() {
        Map<String, Object> m =
                Json.object("{\"serial\":\"0a1b\",\"n\":42,\"ok\":true,\"none\":null,\"list\":[\"a\",\"b\"],"
                        + "\"pem\":\"-----BEGIN\\nX\\u0041\\\"\\n\",\"d\":1.5}");
        assertEquals("0a1b", m.get("serial"));
        assertEquals(42L, m.get("n"));
        assertEquals(true, m.get("ok"));
        assertNull(m.get("none"));
        assertTrue(m.containsKey("none"), "a null member is kept");
        assertEquals(List.of("a", "b"), m.get("list"));
        assertEquals("-----BEGIN\nXA\"\n", m.get("pem"));
        assertEquals(1.5, m.get("d"));
    }

    // objects

    @Test
    void objectsKeepTheirOrderAndNest() {
        Map<String, Object> m = Json.object("{\"z\":1,\"a\":{\"b\":{}},\"m\":[]}");
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(m.keySet()));
        assertEquals(Map.of("b", Map.of()), m.get("a"));
        assertEquals(Map.of(), Json.parse("{}"));
    }

    @Test
    void theLastOfDuplicateKeysWins() {
        assertEquals(Map.of("a", 2L), Json.parse("{\"a\":1,\"a\":2}"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{",
                "{\"a\"}",
                "{\"a\" 1}",
                "{\"a\":}",
                "{\"a\":1,}",
                "{a:1}",
                "{\"a\":1 \"b\":2}",
                "{,}",
                "{'a':1}",
                "{\"a\":1"
            })
    void malformedObjectsAreRefused(String text) {
        error(text);
    }

    @Test
    void objectIsOnlyAnObject() {
        assertThrows(IllegalArgumentException.class, () -> Json.object("[1]"));
        assertThrows(IllegalArgumentException.class, () -> Json.object("\"{}\""));
    }

    // arrays

    @Test
    void arraysHoldAnyValueInOrder() {
        assertEquals(
                Arrays.asList(1L, "two", 3.5, true, false, null, List.of(), Map.of()),
                Json.parse("[1,\"two\",3.5,true,false,null,[],{}]"));
        assertEquals(List.of(List.of(List.of())), Json.parse("[[[]]]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[", "[1,", "[1,]", "[,1]", "[1 2]", "[1;2]", "]"})
    void malformedArraysAreRefused(String text) {
        error(text);
    }

    // strings

    @Test
    void everySimpleEscape() {
        assertEquals("\" \\ / \b \f \n \r \t", Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""));
    }

    @Test
    void unicodeEscapesIncludingASurrogatePair() {
        assertEquals("A\u00e9\u20ac", Json.parse("\"\\u0041\\u00E9\\u20ac\""));
        String grinning = new String(Character.toChars(0x1F600));
        assertEquals(grinning, Json.parse("\"\\uD83D\\uDE00\""), "a surrogate pair is one code point");
        assertEquals(0x1F600, ((String) Json.parse("\"\\ud83d\\ude00\"")).codePointAt(0));
        assertEquals(grinning + "\u00e9", Json.parse("\"" + grinning + "\u00e9\""), "unescaped non-ASCII as is");
        assertEquals("\u0000", Json.parse("\"\\u0000\""));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "\"abc                 | 0 | unterminated string",
                "\"a\\x\"               | 2 | bad escape",
                "\"\\u00G0\"            | 5 | bad \\u escape",
                "\"\\u12\"              | 5 | bad \\u escape",
                "\"a\\                  | 3 | unterminated string"
            })
    void badStringsNameTheirOffset(String text, int offset, String what) {
        String message = error(text.strip());
        assertTrue(message.contains(what), message);
        if (!what.equals("unterminated string")) {
            assertTrue(message.startsWith("invalid JSON at " + offset + ":"), message);
        }
    }

    @Test
    void rawControlCharactersAreRefusedInStrings() {
        assertTrue(error("\"a\nb\"").startsWith("invalid JSON at 2: control character"));
        assertTrue(error("\"\t\"").contains("control character"));
    }

    // numbers

    @ParameterizedTest
    @CsvSource({
        "0,0",
        "-0,0",
        "7,7",
        "-42,-42",
        "9223372036854775807,9223372036854775807",
        "-9223372036854775808,-9223372036854775808"
    })
    void integersAreLongs(String text, long value) {
        assertEquals(value, Json.parse(text));
    }

    @ParameterizedTest
    @CsvSource({"1.5,1.5", "-0.25,-0.25", "1e3,1000", "1E3,1000", "2e+2,200", "-5e-1,-0.5", "1.5E2,150", "0.0,0"})
    void fractionsAndExponentsAreDoubles(String text, double value) {
        assertEquals(value, Json.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"01", "+1", "-", "1.", ".5", "1e", "1e+", "--1", "0x10", "1.2.3", "Infinity", "NaN", "- 1"})
    void numbersOutsideTheGrammarAreRefused(String text) {
        error(text);
    }

    @Test
    void integersBeyondALongAreRefused() {
        assertTrue(error("[9223372036854775808]").startsWith("invalid JSON at 1: number out of range"));
    }

    // literals

    @Test
    void trueFalseNull() {
        assertEquals(true, Json.parse("true"));
        assertEquals(false, Json.parse("false"));
        assertNull(Json.parse("null"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nul", "tru", "True", "NULL", "falsey", "[truex]", "undefined"})
    void misspelledLiteralsAreRefused(String text) {
        error(text);
    }

    // whitespace

    @Test
    void theFourWhitespaceCharactersAnywhereBetweenTokens() {
        assertEquals(Map.of("a", List.of(1L, 2L)), Json.parse(" \t\r\n{ \"a\" \n:\t[ 1 ,\r\n2 ] } \n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\f1", "1\u000b", "\u00a01", "[1,\u20282]"})
    void otherWhitespaceIsNotJson(String text) {
        error(text);
    }

    // errors and limits

    @Test
    void errorsNameTheOffset() {
        assertEquals("invalid JSON at 0: unexpected end", error(""));
        assertEquals("invalid JSON at 3: unexpected end", error("   "));
        assertEquals("invalid JSON at 8: trailing characters", error("{\"a\":1} x"));
        assertEquals("invalid JSON at 5: expected ':'", error("{\"a\" 1}"));
        assertEquals("invalid JSON at 3: unexpected character", error("[1,]"));
        assertEquals("invalid JSON at 6: unexpected end, expected '}'", error("{\"a\":1"));
    }

    @Test
    void nestingIsLimited() {
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(ok);
        for (int i = 1; i < Json.MAX_DEPTH; i++) {
            v = ((List<?>) v).get(0);
        }
        assertEquals(List.of(), v);
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertEquals("invalid JSON at " + Json.MAX_DEPTH + ": nested deeper than " + Json.MAX_DEPTH, error(deep));
        String hostile = "{\"a\":".repeat(100_000);
        assertTrue(error(hostile).contains("nested deeper"), "no stack overflow on hostile input");
    }

    @Test
    void sizeIsLimited() {
        String big = "\"" + "x".repeat(Json.MAX_CHARS - 2) + "\"";
        assertEquals(Json.MAX_CHARS - 2, ((String) Json.parse(big)).length());
        assertTrue(error(big + " ").contains("longer than " + Json.MAX_CHARS));
    }

    // writing

    @Test
    void writesWhatItReads() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("csr", "line1\nline2 \"quoted\" \\ tab\t\r \u0001 \u00e9");
        m.put("revoke_old", false);
        m.put("names", List.of("a.example", "10.0.0.1"));
        m.put("n", 5L);
        m.put("d", -2.5);
        m.put("none", null);
        m.put("nested", Map.of("k", List.of()));
        String written = Json.write(m);
        assertEquals(m, Json.parse(written));
        assertTrue(written.contains("\\u0001"), written);
        assertEquals("{\"a\":[1,true,null,\"x\"]}", Json.write(Map.of("a", Arrays.asList(1, true, null, "x"))));
    }

    @Test
    void writesOtherValuesAsTheirString() {
        assertEquals("\"2026-01-01T00:00:00Z\"", Json.write(Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void refusesNumbersJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.POSITIVE_INFINITY)));
    }
}
