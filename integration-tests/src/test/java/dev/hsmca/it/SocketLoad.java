package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * OCSP POSTs over one blocking socket per thread, HTTP/1.1 kept alive while the server keeps it (a reconnect when it
 * answers {@code Connection: close}, or closes a kept connection before answering). A few microseconds of client CPU
 * per request: the JDK HttpClient loop cost more than the servers it drove on these two shared cores, so it measured
 * itself. An answer counts when it is 200 with a successful OCSP response.
 */
final class SocketLoad implements AutoCloseable {
    private final String host;
    private final int port;
    private final byte[] head;
    private final LongAdder connects;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    SocketLoad(String host, int port, int bodyLength, LongAdder connects) {
        this.host = host;
        this.port = port;
        this.connects = connects;
        this.head = ("POST / HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: application/ocsp-request\r\n"
                        + "Content-Length: " + bodyLength + "\r\nConnection: keep-alive\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code threads} clients, each its own connection, over the bodies (all of one length) in turn. */
    static BenchSupport.Wrk load(String host, int port, List<byte[]> bodies, int threads, Duration duration)
            throws Exception {
        LongAdder connects = new LongAdder();
        List<SocketLoad> clients = new CopyOnWriteArrayList<>();
        BenchSupport.Timed t = BenchSupport.timed(threads, duration, offset -> {
            SocketLoad client = new SocketLoad(host, port, bodies.get(0).length, connects);
            clients.add(client);
            int[] next = {offset};
            return () -> client.post(bodies.get(next[0]++ % bodies.size()));
        });
        for (SocketLoad c : clients) {
            c.close();
        }
        assertTrue(t.ok() > 0, "nothing answered at " + host + ":" + port);
        return new BenchSupport.Wrk(t.perSecond(), t.p(50), t.p(99), 0, t.failed(), t.ok());
    }

    /** One request; true when answered 200 with a successful OCSP response. */
    boolean post(byte[] body) throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean reused = socket != null;
            try {
                if (!reused) {
                    connect();
                }
                out.write(head);
                out.write(body);
                out.flush();
                return readAnswer();
            } catch (IOException e) {
                close();
                if (!reused || attempt > 0) {
                    throw e;
                }
                // the server closed a kept connection before this request reached it: once more, on a new one
            }
        }
    }

    private void connect() throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5_000);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream(), 8192);
        connects.increment();
    }

    private boolean readAnswer() throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("closed before an answer");
        }
        boolean http10 = status.startsWith("HTTP/1.0");
        boolean close = http10;
        int length = -1;
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).trim());
            } else if (lower.startsWith("connection:")) {
                close = lower.contains("close") || (http10 && !lower.contains("keep-alive"));
            }
        }
        byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
        if (close || length < 0) {
            close();
        }
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED (0 = successful), ... }
        int at = body.length > 1 ? 2 + ((body[1] & 0x80) != 0 ? body[1] & 0x7f : 0) : 0;
        return status.startsWith(" 200", 8)
                && body.length > at + 2
                && body[0] == 0x30
                && body[at] == 0x0a
                && body[at + 1] == 1
                && body[at + 2] == 0;
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(64);
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
            socket = null;
        }
    }
}
