package dev.hsmca.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server on port -1 binds a port the kernel picks and reports it in the port file, once it listens. */
class PortFileTest {
    @Test
    void theBoundPortIsWrittenOnceTheServerListens() throws Exception {
        Path dir = Files.createTempDirectory("port-file");
        Path file = dir.resolve("server.port");
        try (EmbeddedServer server = ApplicationContext.run(
                EmbeddedServer.class, Map.of("micronaut.server.port", -1, PortFile.PROPERTY, file.toString()))) {
            int port = Integer.parseInt(Files.readString(file).trim());
            assertNotEquals(0, port);
            assertEquals(server.getPort(), port);
            new Socket("127.0.0.1", port).close(); // listening already
            assertFalse(Files.exists(dir.resolve("server.port.partial")));
        }
    }

    @Test
    void nothingIsWrittenWithoutTheSetting() throws Exception {
        try (ApplicationContext context = ApplicationContext.run(Map.of("micronaut.server.port", -1))) {
            assertFalse(context.containsBean(PortFile.class));
        }
    }
}
