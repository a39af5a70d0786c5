package dev.hsmca.server;

import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code pki.server.port-file}: once the server listens, the port it bound is written to this file (a line, replaced
 * atomically). A server started with port {@code -1} binds one the kernel picks, so nobody can take it between a
 * choice and the bind; whoever started the server (tests, scripts) reads the port here. Unset: nothing is written.
 */
@Singleton
@Requires(property = PortFile.PROPERTY)
public class PortFile implements ApplicationEventListener<ServerStartupEvent> {
    static final String PROPERTY = "pki.server.port-file";

    private final Path file;

    public PortFile(@Property(name = PROPERTY) String file) {
        this.file = Path.of(file);
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        write(file, event.getSource().getPort());
    }

    static void write(Path file, int port) {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.writeString(partial, port + "\n", StandardCharsets.US_ASCII);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the server's port to " + file, e);
        }
    }
}
