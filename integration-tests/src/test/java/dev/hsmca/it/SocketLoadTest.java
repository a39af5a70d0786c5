package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bench's socket client against a real HTTP server: kept alive, closed after each answer, and refusals. */
class SocketLoadTest {
    static final byte[] SUCCESSFUL = {0x30, 0x03, 0x0a, 0x01, 0x00};
    static final byte[] MALFORMED = {0x30, 0x03, 0x0a, 0x01, 0x01};

    HttpServer server;
    final AtomicInteger requests = new AtomicInteger();

    int serve(byte[] answer, boolean closeEach, int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            if (closeEach) {
                exchange.getResponseHeaders().add("Connection", "close");
            }
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void keepsOneConnectionPerThreadWhileTheServerKeepsIt() throws Exception {
        int port = serve(SUCCESSFUL, false, 200);
        LongAdder connects = new LongAdder();
        try (SocketLoad client = new SocketLoad("127.0.0.1", port, 3, connects)) {
            for (int i = 0; i < 50; i++) {
                assertTrue(client.post(new byte[] {1, 2, 3}));
            }
        }
        assertEquals(1, connects.sum());
        assertEquals(50, requests.get());
    }

    @Test
    void reconnectsWhenTheServerClosesAfterEachAnswer() throws Exception {
        int port = serve(SUCCESSFUL, true, 200);
        LongAdder connects = new LongAdder();
        try (SocketLoad client = new SocketLoad("127.0.0.1", port, 3, connects)) {
            for (int i = 0; i < 20; i++) {
                assertTrue(client.post(new byte[] {1, 2, 3}), "a closed connection is the server's way, not an error");
            }
        }
        assertEquals(20, connects.sum(), "a new connection for each answer that closed its own");
        // the load driver counts what the server answered, however many that is in its half second
        BenchSupport.Wrk w = SocketLoad.load(
                "127.0.0.1", port, List.of(new byte[] {1, 2, 3}, new byte[] {4, 5, 6}), 2, Duration.ofMillis(500));
        assertEquals(0, w.socketErrors(), "a closed connection is the server's way, not an error");
        assertEquals(requests.get() - 20, w.requests());
    }

    @Test
    void anUnsuccessfulOcspStatusOrHttpErrorIsNotAnAnswer() throws Exception {
        int port = serve(MALFORMED, false, 200);
        try (SocketLoad client = new SocketLoad("127.0.0.1", port, 1, new LongAdder())) {
            assertFalse(client.post(new byte[] {1}));
        }
        server.stop(0);
        port = serve(SUCCESSFUL, false, 500);
        try (SocketLoad client = new SocketLoad("127.0.0.1", port, 1, new LongAdder())) {
            assertFalse(client.post(new byte[] {1}));
        }
    }
}
