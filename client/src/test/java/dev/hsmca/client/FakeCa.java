package dev.hsmca.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The appliance's API as the client uses it, in this JVM: a JDK HTTPS server on a port of its own (0, read back)
 * that issues from a {@link TestCa} with validity on the tests' clock, keeps a renewal window, and answers whatever a
 * test queued for a path first. Every request is recorded.
 */
final class FakeCa implements AutoCloseable {
    /** A request as the fake saw it; {@code peer} is the client certificate presented, if any. */
    record Seen(String method, String path, Map<String, String> headers, String body, X509Certificate peer) {
        Map<String, Object> json() {
            return Json.object(body);
        }
    }

    /** A canned answer. */
    record Reply(int status, Map<String, String> headers, String body) {
        static Reply json(int status, Object body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), Json.write(body));
        }

        static Reply error(int status, String code, String message) {
            return json(status, Map.of("error", code, "message", message));
        }
    }

    final TestCa ca = new TestCa("fake-root");
    private final Clock clock;
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-ca");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Queue<Function<Seen, Reply>>> canned = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final Set<String> tokens = ConcurrentHashMap.newKeySet();
    /** Reusable enrollment keys: accepted every time. */
    final Set<String> enrollKeys = ConcurrentHashMap.newKeySet();

    final Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> registered = new HashMap<>();
    volatile Duration validity = Duration.ofHours(1);
    volatile Instant renewAfter;
    volatile Instant renewBefore;
    volatile boolean renewNow;

    FakeCa(Clock clock) {
        this.clock = clock;
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()) {
            @Override
            public void configure(HttpsParameters params) {
                var p = getSSLContext().getDefaultSSLParameters();
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String url() {
        return "https://localhost:" + server.getAddress().getPort();
    }

    /** The next request to {@code path} gets this answer instead of the fake's own. */
    void next(String path, Reply reply) {
        next(path, s -> reply);
    }

    void next(String path, Function<Seen, Reply> reply) {
        canned.computeIfAbsent(path, k -> new ArrayDeque<>()).add(reply);
    }

    List<Seen> seen(String path) {
        return seen.stream().filter(s -> s.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            Seen s = new Seen(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    peer(exchange));
            seen.add(s);
            Queue<Function<Seen, Reply>> queue = canned.get(s.path());
            Function<Seen, Reply> answer;
            synchronized (canned) {
                answer = queue == null ? null : queue.poll();
            }
            Reply r = answer != null ? answer.apply(s) : own(s);
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            r.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    private static X509Certificate peer(HttpExchange exchange) {
        try {
            var certs = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
            return (X509Certificate) certs[0];
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** What the appliance would answer (the parts the client relies on). */
    private Reply own(Seen s) {
        return switch (s.method() + " " + s.path()) {
            case "POST /api/v1/certificates" -> enroll(s);
            case "POST /api/v1/certificates/renew" -> holder(s, () -> issue(s, 201));
            case "GET /api/v1/certificates/current" -> holder(s, () -> window(s));
            case "POST /api/v1/services" -> holder(s, () -> register(s));
            default -> Reply.error(404, "not_found", "no route " + s.path());
        };
    }

    private Reply enroll(Seen s) {
        String auth = s.headers().getOrDefault("authorization", "");
        if (auth.startsWith("Bearer ") && enrollKeys.contains(auth.substring(7))) {
            return issue(s, 201);
        }
        if (!auth.startsWith("Bearer ") || !tokens.remove(auth.substring(7))) {
            return Reply.error(401, "token_invalid", "not a token this CA made");
        }
        return issue(s, 201);
    }

    private Reply holder(Seen s, Supplier<Reply> then) {
        if (s.peer() == null) {
            return Reply.error(401, "client_certificate_required", "present your certificate");
        }
        if (revoked.contains(s.peer().getSerialNumber())) {
            return Reply.error(
                    401,
                    "certificate_revoked",
                    "certificate " + s.peer().getSerialNumber().toString(16) + " is revoked");
        }
        if (!clock.instant().isBefore(s.peer().getNotAfter().toInstant())) {
            return Reply.error(401, "certificate_expired", "certificate expired");
        }
        return then.get();
    }

    private Reply issue(Seen s, int status) {
        TestCa.Request request = TestCa.read((String) s.json().get("csr"));
        Instant now = clock.instant();
        X509Certificate c = ca.issue(request.publicKey(), request.names(), now, now.plus(validity));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serial", c.getSerialNumber().toString(16));
        body.put("certificate_pem", Pem.certificates(List.of(c)));
        body.put("chain_pem", ca.rootPem());
        return Reply.json(status, body);
    }

    private Reply window(Seen s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("serial", s.peer().getSerialNumber().toString(16));
        body.put("status", "valid");
        body.put("renew_after", renewAfter == null ? null : renewAfter.toString());
        body.put("renew_before", renewBefore == null ? null : renewBefore.toString());
        body.put("renew_now", renewNow);
        String etag = "\"" + Integer.toHexString(body.hashCode()) + "\"";
        if (etag.equals(s.headers().get("if-none-match"))) {
            return new Reply(304, Map.of("ETag", etag), "");
        }
        return new Reply(200, Map.of("Content-Type", "application/json", "ETag", etag), Json.write(body));
    }

    private synchronized Reply register(Seen s) {
        String service = String.valueOf(s.json().get("service"));
        int times = registered.merge(service, 1, Integer::sum);
        return Reply.json(
                times == 1 ? 201 : 200,
                Map.of("service", service, "endpoints", s.json().get("endpoints")));
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
