package dev.hsmca.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port chosen before the server that binds it: only where that cannot be avoided, because the port must be known
 * before its server starts or must stay the same across restarts. Servers under test otherwise bind port 0 (or -1)
 * and report the port they got (see {@link ApplianceProcess}, {@link ResponderProcess}). The uses:
 * <ul>
 * <li>a restart that clients must find at the same address (the agent keeps the CA's URL: AgentTest);</li>
 * <li>tls-alpn-01: the validator dials a port fixed in its settings, where lego listens only during the challenge
 * (443 in production);</li>
 * <li>{@code make run}'s responder: its URL is written into the CA's certificates at the first run and the state
 * is started again (MakeRunStressTest);</li>
 * <li>nginx, which refuses {@code listen ...:0}.</li>
 * </ul>
 * The port is taken below Linux's ephemeral range (32768-60999), so no outgoing connection (clients, the database)
 * takes it meanwhile, checked free now, and never handed out twice in one JVM; only another explicit bind of the same
 * number could race it.
 */
final class Ports {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private Ports() {}

    static int fixed() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20000, 32768);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress("0.0.0.0", port));
                return port;
            } catch (IOException busy) {
                // taken by someone else: try another
            }
        }
        throw new IllegalStateException("no free port found in 20000-32767");
    }
}
