package dev.hsmca.appliance.cli.remote;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a command reaches the running appliance: its URL, the CA to trust, the admin credential. */
public class RemoteOptions {
    static final String DEFAULT_URL = "https://localhost:8443";

    @Option(
            names = "--url",
            description = "Appliance URL (default: $PKI_URL, else $PKI_SERVER_URL, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--ca-cert", defaultValue = "var/ca/root.pem", description = "CA certificate to trust (PEM).")
    Path caCert;

    @Option(names = "--admin-dir", defaultValue = "var/admin", description = "Folder with admin.p12 and admin.pass.")
    Path adminDir;

    @Option(names = "--json", description = "Print the API's JSON instead of a table.")
    boolean json;

    ApiClient client() {
        return ApiClient.connect(url(System.getenv()), caCert, adminDir);
    }

    /** --url, else $PKI_URL, else the integration notes' $PKI_SERVER_URL, else localhost. */
    String url(Map<String, String> env) {
        if (url != null) {
            return url;
        }
        for (String name : new String[] {"PKI_URL", "PKI_SERVER_URL"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return DEFAULT_URL;
    }
}
