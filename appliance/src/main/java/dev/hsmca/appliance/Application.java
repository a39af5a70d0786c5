package dev.hsmca.appliance;

import dev.hsmca.appliance.cli.Cli;
import io.micronaut.runtime.Micronaut;
import java.util.Arrays;

/**
 * {@code java -jar appliance.jar} (or {@code serve}) starts the HTTPS server; anything else is a command,
 * e.g. {@code ca init}, {@code ca status}.
 */
@io.swagger.v3.oas.annotations.OpenAPIDefinition(
        info =
                @io.swagger.v3.oas.annotations.info.Info(
                        title = "hsmca-appliance",
                        version = "1",
                        description =
                                "HSM-backed certificate authority: issuance, enrollment, renewal, revocation, registry, "
                                        + "audit, ACME (RFC 8555). Errors are JSON {error, message}; ACME errors are problem documents."))
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        hardenTls();
        if (args.length == 0 || "serve".equals(args[0])) {
            String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
            // configuration records are made (and validated) at start: a bad value stops it, naming its key
            Micronaut.build(rest)
                    .mainClass(Application.class)
                    .banner(false)
                    .eagerInitConfiguration(true)
                    .start();
            return;
        }
        System.exit(Cli.run(args));
    }

    /**
     * JSSE settings that configuration cannot reach: no stateless session tickets (their key would be a static
     * secret for the process lifetime), no client-initiated renegotiation (TLS 1.2, when enabled).
     */
    static void hardenTls() {
        System.setProperty("jdk.tls.server.enableSessionTicketExtension", "false");
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
    }
}
