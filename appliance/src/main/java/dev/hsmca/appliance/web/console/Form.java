package dev.hsmca.appliance.web.console;

import dev.hsmca.appliance.domain.PkiException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A console form (application/x-www-form-urlencoded), parsed here rather than bound by the framework: a handful of
 * named text fields, bounded in number and size.
 */
record Form(Map<String, String> fields) {
    static final int MAX_FIELDS = 32;
    static final int MAX_VALUE = 4096;

    static Form parse(String body) {
        Map<String, String> fields = new HashMap<>();
        if (body == null || body.isEmpty()) {
            return new Form(fields);
        }
        String[] pairs = body.split("&", MAX_FIELDS + 1);
        if (pairs.length > MAX_FIELDS) {
            throw PkiException.malformed("form_too_large", "a console form has at most " + MAX_FIELDS + " fields");
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (value.length() > MAX_VALUE) {
                throw PkiException.malformed("form_field_too_long", "the form field " + name + " is too long");
            }
            fields.putIfAbsent(name, value);
        }
        return new Form(fields);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw PkiException.malformed("form_malformed", "the form is not URL-encoded");
        }
    }

    String get(String name) {
        String v = fields.get(name);
        return v == null ? "" : v.strip();
    }

    /** Comma, space or newline separated values. */
    java.util.List<String> list(String name) {
        return java.util.Arrays.stream(get(name).split("[,\\s]+", MAX_FIELDS * 4))
                .filter(s -> !s.isEmpty())
                .toList();
    }
}
