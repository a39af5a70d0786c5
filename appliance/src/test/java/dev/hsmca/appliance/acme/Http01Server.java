package dev.hsmca.appliance.acme;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The web server the CA's http-01 validation reaches in tests (loopback, a free port). */
public final class Http01Server implements AutoCloseable {
    static final String PREFIX = "/.well-known/acme-challenge/";

    private interface Files0 {
        byte[] read(String path) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    private Http01Server(Files0 files) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", x -> {
            byte[] b = files.read(x.getRequestURI().getPath());
            x.sendResponseHeaders(b == null ? 404 : 200, b == null || b.length == 0 ? -1 : b.length);
            if (b != null) {
                x.getResponseBody().write(b);
            }
            x.close();
        });
        server.setExecutor(executor);
        server.start();
    }

    /** Answers {@code /.well-known/acme-challenge/TOKEN} from this map (token → key authorization), as it changes. */
    public static Http01Server tokens(Map<String, String> tokens) {
        return new Http01Server(path -> {
            String body = path.startsWith(PREFIX) ? tokens.get(path.substring(PREFIX.length())) : null;
            return body == null ? null : body.getBytes(StandardCharsets.US_ASCII);
        });
    }

    /** Serves the files under this web root, as ACME clients' webroot modes expect. */
    public static Http01Server webroot(Path root) {
        return new Http01Server(path -> {
            Path f = root.resolve(path.substring(1)).normalize();
            return f.startsWith(root) && Files.isRegularFile(f) ? Files.readAllBytes(f) : null;
        });
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
