package dev.hsmca.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port where nothing listens, for as long as this is open: a socket bound to it (port 0: the kernel picks) that
 * never listens, so a connection is refused, and no other process can bind it meanwhile (unlike a port closed after
 * being found free).
 */
final class ClosedPort implements AutoCloseable {
    private final Socket socket = new Socket();

    ClosedPort() {
        try {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
