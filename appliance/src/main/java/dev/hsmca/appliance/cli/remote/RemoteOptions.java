package dev.hsmca.appliance.cli.remote;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** How a command reaches the running appliance: its URL, the CA to trust, the admin credential. */
public class RemoteOptions {
    @Option(names = "--url", defaultValue = "${env:PKI_URL:-https://localhost:8443}",
            description = "Appliance URL (default: ${DEFAULT-VALUE}, or $PKI_URL).")
    String url;

    @Option(names = "--ca-cert", defaultValue = "var/ca/root.pem", description = "CA certificate to trust (PEM).")
    Path caCert;

    @Option(names = "--admin-dir", defaultValue = "var/admin",
            description = "Folder with admin.p12 and admin.pass.")
    Path adminDir;

    @Option(names = "--json", description = "Print the API's JSON instead of a table.")
    boolean json;

    ApiClient client() {
        return ApiClient.connect(url, caCert, adminDir);
    }
}
