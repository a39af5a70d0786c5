package dev.hsmca.appliance.cli.remote;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** Shared printing for the remote commands. */
final class Output {
    private Output() {}

    static void json(CommandSpec spec, Object value) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(ApiClient.toJson(value));
        out.flush();
    }

    /** One object: JSON, or "key: value" lines. */
    static void record(CommandSpec spec, RemoteOptions remote, Map<String, Object> value) {
        if (remote.json) {
            json(spec, value);
            return;
        }
        PrintWriter out = spec.commandLine().getOut();
        int width = value.keySet().stream().mapToInt(String::length).max().orElse(0);
        value.forEach((k, v) -> out.printf("%-" + width + "s  %s%n", k, v == null ? "-" : v));
        out.flush();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> page, String key) {
        Object v = page == null ? null : page.get(key);
        return v instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }

    /** A serial or id for a URL path: hex/letters/digits only, or a clear error. */
    static String pathSegment(String value) {
        if (value == null || !value.matches("^[A-Za-z0-9_-]{1,64}$")) {
            throw new ApiClient.CliError("'" + value + "' is not a valid serial or id");
        }
        return value;
    }
}
