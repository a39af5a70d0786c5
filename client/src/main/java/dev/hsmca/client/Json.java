package dev.hsmca.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the CA's API speaks (RFC 8259: objects, arrays, strings, numbers, true, false, null), read and
 * written without a dependency: a library that any Java service embeds should not bring a Jackson of its own to fight
 * the service's (jackson-jr needs a jackson-core of its own minor version). Objects keep their order (the last of
 * duplicate keys wins); integers are {@code Long}, other numbers {@code Double}. Input is limited in size and depth,
 * and every error names the offset where it was found.
 */
final class Json {
    /** The longest text read: a page of 500 certificates is well under 1 MiB. */
    static final int MAX_CHARS = 8 * 1024 * 1024;
    /** The deepest nesting read: the API nests three levels. */
    static final int MAX_DEPTH = 64;

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    static Object parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new IllegalArgumentException("invalid JSON: longer than " + MAX_CHARS + " characters");
        }
        Json p = new Json(text);
        p.space();
        Object value = p.value();
        p.space();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return (Map<String, Object>) v;
    }

    private Object value() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return switch (text.charAt(pos)) {
            case '{' -> nested(true);
            case '[' -> nested(false);
            case '"' -> str();
            case 't' -> literal("true", true);
            case 'f' -> literal("false", false);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Object nested(boolean object) {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        Object v = object ? obj() : arr();
        depth--;
        return v;
    }

    private Map<String, Object> obj() {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        space();
        if (peek('}')) {
            pos++;
            return m;
        }
        while (true) {
            space();
            String key = str();
            space();
            expect(':');
            space();
            m.put(key, value());
            space();
            if (peek(',')) {
                pos++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> arr() {
        List<Object> l = new ArrayList<>();
        pos++;
        space();
        if (peek(']')) {
            pos++;
            return l;
        }
        while (true) {
            space();
            l.add(value());
            space();
            if (peek(',')) {
                pos++;
                continue;
            }
            expect(']');
            return l;
        }
    }

    private String str() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '"') {
                pos++;
                return b.toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c == '\\') {
                b.append(escape());
            } else {
                b.append(c);
                pos++;
            }
        }
        throw error("unterminated string");
    }

    /** One escape after the backslash at {@code pos}; a surrogate pair is two {@code \\u} escapes, kept as two chars. */
    private char escape() {
        pos++;
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        char e = text.charAt(pos++);
        return switch (e) {
            case '"', '\\', '/' -> e;
            case 'n' -> '\n';
            case 't' -> '\t';
            case 'r' -> '\r';
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'u' -> hex4();
            default -> {
                pos -= 2;
                throw error("bad escape \\" + e);
            }
        };
    }

    private char hex4() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = pos < text.length() ? Character.digit(text.charAt(pos), 16) : -1;
            if (d < 0) {
                throw error("bad \\u escape");
            }
            v = v * 16 + d;
            pos++;
        }
        return (char) v;
    }

    /** {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private Object number() {
        int start = pos;
        if (peek('-')) {
            pos++;
        }
        if (peek('0')) {
            pos++;
        } else if (!digits()) {
            pos = start;
            throw error("unexpected character");
        }
        boolean integer = true;
        if (peek('.')) {
            pos++;
            integer = false;
            if (!digits()) {
                throw error("digit expected");
            }
        }
        if (peek('e') || peek('E')) {
            pos++;
            integer = false;
            if (peek('+') || peek('-')) {
                pos++;
            }
            if (!digits()) {
                throw error("digit expected");
            }
        }
        String n = text.substring(start, pos);
        try {
            return integer ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("number out of range");
        }
    }

    private boolean digits() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        return pos > start;
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected token");
        }
        pos += word.length();
        return value;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error(pos >= text.length() ? "unexpected end, expected '" + c + "'" : "expected '" + c + "'");
        }
        pos++;
    }

    /** JSON's four whitespace characters, no others. */
    private void space() {
        while (pos < text.length() && " \t\n\r".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at " + pos + ": " + what);
    }

    /** Writes maps, lists, strings, numbers, booleans and nulls; anything else as its string. */
    static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (var e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, l.get(i));
            }
            b.append(']');
        } else if ((v instanceof Double d && (d.isNaN() || d.isInfinite()))
                || (v instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            throw new IllegalArgumentException("JSON has no " + v);
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
