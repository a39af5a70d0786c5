package dev.hsmca.appliance.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny authoritative DNS server over UDP for dns-01 tests: TXT records only, NXDOMAIN for the rest. Just enough
 * of RFC 1035 for the JDK's resolver; nothing here is used outside tests.
 */
public final class TestDns implements AutoCloseable {
    private static final int TXT = 16;
    private final DatagramSocket socket;
    private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile Path zoneFile;

    /** Also answers from this file, re-read on each query: lines of {@code name value} (a client's hook appends). */
    public TestDns zoneFile(Path file) {
        this.zoneFile = file;
        return this;
    }

    /** A started server on a free loopback port. */
    public static TestDns start() {
        try {
            return new TestDns();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestDns() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "test-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code host:port} for {@code pki.acme.dns-server}. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public void addTxt(String name, String value) {
        txt.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new CopyOnWriteArrayList<>())
                .add(value);
    }

    public void clear() {
        txt.clear();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] answer = answer(Arrays.copyOf(p.getData(), p.getLength()));
                if (answer != null) {
                    socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or one bad packet: keep serving until closed
            }
        }
    }

    private byte[] answer(byte[] q) {
        if (q.length < 17) {
            return null;
        }
        int i = 12;
        StringBuilder name = new StringBuilder();
        while (i < q.length && q[i] != 0) {
            int len = q[i] & 0xff;
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(new String(q, i + 1, len, StandardCharsets.US_ASCII));
            i += len + 1;
        }
        int questionEnd = i + 5; // zero label, type, class
        if (questionEnd > q.length) {
            return null;
        }
        int type = ((q[i + 1] & 0xff) << 8) | (q[i + 2] & 0xff);
        List<String> values = type == TXT ? lookup(name.toString().toLowerCase(Locale.ROOT)) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]);
        out.write(0x84 | (q[2] & 0x01)); // QR, AA, RD copied
        out.write(values == null ? 3 : 0); // NXDOMAIN or NOERROR
        out.writeBytes(new byte[] {0, 1, 0, (byte) (values == null ? 0 : values.size()), 0, 0, 0, 0});
        out.write(q, 12, questionEnd - 12);
        if (values != null) {
            for (String v : values) {
                byte[] data = v.getBytes(StandardCharsets.US_ASCII);
                out.writeBytes(
                        new byte[] {(byte) 0xc0, 12, 0, TXT, 0, 1, 0, 0, 0, 0}); // pointer to the name, TXT, IN, TTL 0
                out.write(0);
                out.write(data.length + 1);
                out.write(data.length);
                out.writeBytes(data);
            }
        }
        return out.toByteArray();
    }

    private List<String> lookup(String name) {
        List<String> values = new ArrayList<>(txt.getOrDefault(name, List.of()));
        Path file = zoneFile;
        if (file != null && Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.trim()
                            .split("\\s+", -1); // the line is trimmed: no trailing empty field to keep or drop
                    if (f.length == 2 && f[0].replaceAll("\\.$", "").equalsIgnoreCase(name)) {
                        values.add(f[1]);
                    }
                }
            } catch (IOException e) {
                // being written: the client asks again
            }
        }
        return values.isEmpty() ? null : values;
    }

    @Override
    public void close() {
        socket.close();
    }
}
