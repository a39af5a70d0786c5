package dev.hsmca.appliance.acme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP server that does to each connection whatever the test says (answer junk, drip bytes, say nothing),
 * and counts the connections it accepted. Not HTTP: it plays the servers the validator must not trust.
 */
final class ScriptedServer implements AutoCloseable {
    interface Script {
        void play(Socket connection) throws Exception;
    }

    private final ServerSocket socket;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    ScriptedServer(Script script) {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(
                () -> {
                    while (!socket.isClosed()) {
                        try {
                            Socket c = socket.accept();
                            accepted.incrementAndGet();
                            open.add(c);
                            Thread h = new Thread(
                                    () -> {
                                        try (c) {
                                            script.play(c);
                                        } catch (Exception ignored) {
                                            // the validator hung up: that is what it should do
                                        } finally {
                                            open.remove(c);
                                        }
                                    },
                                    "scripted-connection");
                            h.setDaemon(true);
                            h.start();
                        } catch (IOException e) {
                            return;
                        }
                    }
                },
                "scripted-server");
        t.setDaemon(true);
        t.start();
    }

    /** Writes the text, then nothing more (the connection stays open until the peer or the test closes it). */
    static Script answers(String text) {
        return c -> {
            c.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            c.getOutputStream().flush();
            c.shutdownOutput();
            c.getInputStream().readAllBytes();
        };
    }

    /** Writes the prefix, then one byte every {@code everyMillis}, for ever. */
    static Script drips(byte[] prefix, byte drip, long everyMillis) {
        return c -> {
            c.getOutputStream().write(prefix);
            while (true) {
                c.getOutputStream().flush();
                Thread.sleep(everyMillis);
                c.getOutputStream().write(drip);
            }
        };
    }

    /** Accepts and never says a word. */
    static Script silent() {
        return c -> c.getInputStream().readAllBytes();
    }

    int port() {
        return socket.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Stops accepting and hangs up on every connection still open. */
    @Override
    public void close() {
        try {
            socket.close();
            for (Socket c : open) {
                c.close();
            }
        } catch (IOException ignored) {
            // closed
        }
    }
}
