package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hsmca.appliance.testing.Api;
import dev.hsmca.appliance.testing.TestAppliance;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Slow and idle clients do not stop anyone else: on each server, 200 connections sending one byte a second, 20
 * empty connections, and (appliance) 200 TLS handshakes left half-done, while normal requests keep being answered.
 * The idle ones are closed by the servers' idle timeouts (set short here; production values in application.yml).
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientsTest implements TestPropertyProvider {
    static final Map<String, String> TIMEOUTS =
            Map.of("micronaut.server.read-idle-timeout", "3s", "micronaut.server.idle-timeout", "4s");
    static final TestAppliance APP = TestAppliance.postgres().initialize();

    @Inject
    EmbeddedServer server;

    ResponderProcess responder;
    final List<Socket> sockets = new ArrayList<>();

    @Override
    public Map<String, String> getProperties() {
        if (responder == null) {
            Map<String, String> p = new HashMap<>(E2e.databaseOnly(APP));
            p.putAll(TIMEOUTS);
            responder = ResponderProcess.start(p, false);
        }
        Map<String, String> p = new HashMap<>(E2e.withOcspUrl(APP, responder));
        p.putAll(TIMEOUTS);
        return p;
    }

    @AfterAll
    void stop() {
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        });
        if (responder != null) {
            responder.close();
        }
    }

    List<Socket> open(int port, int n) throws IOException {
        List<Socket> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port), 60_000); // a full backlog retries SYNs for seconds
            s.setSoTimeout(100);
            list.add(s);
        }
        sockets.addAll(list);
        return list;
    }

    /** The first flight of a TLS 1.3 handshake (a ClientHello), as a real client would send it. */
    static byte[] clientHello(SSLContext ctx) throws Exception {
        SSLEngine engine = ctx.createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    /**
     * Whether the server closed this connection (a read sees the end, or a reset) before the deadline: the idle
     * timeouts are seconds; the deadline is for a hang only.
     */
    static boolean closedByServer(Socket s, long deadline) {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * An outcome, not a time: while the slow clients keep trickling (their own thread, a byte a second each, for as
     * long as the checks run), every normal request is answered 200. A server that let them hold its workers would
     * hold these requests too, until the clients' deadline (a hang, the failure).
     */
    @Test
    void normalRequestsAreAnsweredWhileSlowAndIdleClientsHang() throws Exception {
        int https = server.getPort();
        int ocsp = responder.port();
        List<Socket> slow = new ArrayList<>(open(https, 200));
        slow.addAll(open(ocsp, 200));
        List<Socket> empty = new ArrayList<>(open(https, 20));
        empty.addAll(open(ocsp, 20));
        List<Socket> halfDone = open(https, 200);
        byte[] hello = clientHello(APP.anonymousSsl());
        for (Socket s : halfDone) {
            s.getOutputStream().write(hello);
        }
        for (Socket s : slow.subList(200, 400)) {
            s.getOutputStream().write("POST / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        AtomicBoolean trickling = new AtomicBoolean(true);
        Thread trickle = new Thread(
                () -> {
                    for (int second = 0; trickling.get(); second++) {
                        for (Socket s : slow) { // one byte a second each
                            try {
                                s.getOutputStream().write('a' + second % 26);
                            } catch (IOException e) {
                                // the server may close a slow connection: that is allowed
                            }
                        }
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "slow-clients");
        trickle.start();
        int answered = 0;
        try {
            Api api = new Api(APP.anonymousSsl(), https);
            HttpClient plain = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(30))
                    .build();
            for (int round = 0; round < 8; round++) {
                assertEquals(200, api.get("/health").statusCode(), "the appliance answers");
                HttpResponse<String> ocspHealth = plain.send(
                        HttpRequest.newBuilder(URI.create(responder.url() + "/health"))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ocspHealth.statusCode(), "the responder answers");
                answered += 2;
                Thread.sleep(1000);
            }
        } finally {
            trickling.set(false);
            trickle.interrupt();
            trickle.join(10_000);
        }
        System.out.printf(
                "slow clients: %d normal requests answered with 400 slow, 40 empty and 200 half-done handshakes "
                        + "open%n",
                answered);

        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        long closedEmpty =
                empty.stream().filter(s -> closedByServer(s, deadline)).count();
        long closedHalf =
                halfDone.stream().filter(s -> closedByServer(s, deadline)).count();
        System.out.printf(
                "closed by the servers' idle timeouts: %d of 40 empty, %d of 200 half-done handshakes%n",
                closedEmpty, closedHalf);
        assertEquals(40, closedEmpty, "idle connections are closed");
        assertEquals(200, closedHalf, "stalled handshakes are closed");
    }
}
