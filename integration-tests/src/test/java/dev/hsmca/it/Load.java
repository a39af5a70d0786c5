package dev.hsmca.it;

import dev.hsmca.appliance.testing.Api;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Parallel admin clients issuing certificates as fast as the appliance answers, until stopped. Every serial
 * answered 201 is remembered: what a client was told must survive whatever happens to the server next.
 */
final class Load implements AutoCloseable {
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failures = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;

    static Load start(SSLContext ssl, int port, String csrPem, int clients) {
        Load load = new Load();
        HttpClient client = HttpClient.newBuilder()
                .sslContext(ssl)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        String body = Api.json(Map.of("csr", csrPem, "profile", "tls-server", "validity_days", 30));
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/api/v1/certificates"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(
                    () -> {
                        while (load.running) {
                            try {
                                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() == 201) {
                                    load.issued.add((String) Api.parse(r).get("serial"));
                                } else {
                                    load.failures.incrementAndGet();
                                }
                            } catch (Exception e) {
                                load.failures.incrementAndGet();
                                pause();
                            }
                        }
                    },
                    "load-" + i);
            t.setDaemon(true);
            t.start();
            load.threads.add(t);
        }
        return load;
    }

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long issuance may make no progress at all before a wait gives up: a hang, never a slow machine. */
    static final Duration STALL = Duration.ofMinutes(2);

    /**
     * Polls until at least {@code n} certificates were issued; false only when none was issued for {@code stall}
     * (an outcome, not a rate: however slow the machine, progress keeps the wait going).
     */
    boolean awaitIssued(int n, Duration stall) throws InterruptedException {
        int seen = issued.size();
        long deadline = System.nanoTime() + stall.toNanos();
        while (issued.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
            if (issued.size() > seen) {
                seen = issued.size();
                deadline = System.nanoTime() + stall.toNanos();
            }
        }
        return issued.size() >= n;
    }

    Set<String> issued() {
        return issued;
    }

    int failures() {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(30_000);
        }
    }
}
