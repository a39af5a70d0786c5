package dev.hsmca.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the benches share: run lengths ({@code -Dbench.smoke=true} makes every run about a second, for the smoke run in
 * {@code make test}), wrk runs and their parsing, RSS from /proc, and the markdown part each bench writes to
 * {@code bench.results} (scripts/bench.sh joins them into bench/results/latest.md).
 */
final class BenchSupport {
    static final boolean SMOKE = Boolean.getBoolean("bench.smoke");

    private BenchSupport() {
    }

    /** A measured run: the long mode's length, or one second in the smoke run. */
    static Duration run(int seconds) {
        return Duration.ofSeconds(SMOKE ? 1 : seconds);
    }

    static Path results() throws IOException {
        Path dir = Path.of(System.getProperty("bench.results", "target/bench"));
        Files.createDirectories(dir);
        return dir;
    }

    /** Writes this bench's part of the table; printed too, so a surefire log shows it. */
    static void writePart(String name, String markdown) throws IOException {
        Files.writeString(results().resolve(name + ".md"), markdown, StandardCharsets.UTF_8);
        System.out.println(markdown);
    }

    /** Resident and peak resident memory of a process, in MiB (Linux /proc). */
    record Rss(long mib, long peakMib) {
        static Rss of(long pid) throws IOException {
            String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
            return new Rss(kib(status, "VmRSS") >> 10, kib(status, "VmHWM") >> 10);
        }

        private static long kib(String status, String field) {
            Matcher m = Pattern.compile(field + ":\\s+(\\d+) kB").matcher(status);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    /** One wrk run: requests/s, latency percentiles in ms, and anything that was not a 2xx. */
    record Wrk(double rps, double p50, double p99, long non2xx, long socketErrors, long requests) {
        String cells() {
            return String.format("%,.0f | %.2f | %.2f", rps, p50, p99) + (socketErrors > 0 ? " (" + socketErrors + " errors)" : "");
        }
    }

    /**
     * wrk against {@code url} with {@code connections} kept-alive connections; the Lua script and environment shape
     * the request. Fails when no request was answered or any answer was not 2xx.
     */
    static Wrk wrk(String url, int connections, Duration duration, Path lua, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t", Integer.toString(Math.min(2, connections)),
                "-c", Integer.toString(connections), "-d", duration.toSeconds() + "s", "--latency", "--timeout", "5s"));
        if (lua != null) {
            cmd.addAll(List.of("-s", lua.toString()));
        }
        cmd.add(url);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Wrk w = parse(out);
        assertTrue(w.requests() > 0, "wrk: nothing answered: " + out);
        assertEquals(0, w.non2xx(), "wrk: answers that were not 2xx: " + out);
        return w;
    }

    static Wrk parse(String out) {
        double rps = number(out, "Requests/sec:\\s+([\\d.]+)");
        long non2xx = (long) number(out, "Non-2xx or 3xx responses:\\s+(\\d+)");
        long errors = 0;
        Matcher e = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (e.find()) {
            errors = Long.parseLong(e.group(1)) + Long.parseLong(e.group(3)) + Long.parseLong(e.group(4));
        }
        long requests = (long) number(out, "(\\d+) requests in");
        return new Wrk(rps, millis(out, "50%"), millis(out, "99%"), non2xx, errors, requests);
    }

    private static double number(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double millis(String out, String percentile) {
        Matcher m = Pattern.compile("\\s" + percentile + "\\s+([\\d.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    /**
     * A Java load loop for servers wrk cannot drive (openssl's responder answered wrk's first run and then nothing):
     * {@code threads} threads, each posting the bodies in turn with its own JDK HttpClient for the duration.
     */
    static Wrk javaLoad(String url, List<byte[]> bodies, int threads, Duration duration) throws Exception {
        java.util.concurrent.ConcurrentLinkedQueue<long[]> all = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t;
            Thread th = new Thread(() -> {
                java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
                long[] lat = new long[1 << 20];
                int n = 0;
                int i = offset;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    try {
                        var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                .timeout(Duration.ofSeconds(5)).header("Content-Type", "application/ocsp-request")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bodies.get(i++ % bodies.size())))
                                .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() == 200 && n < lat.length) {
                            lat[n++] = System.nanoTime() - s;
                        } else if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                all.add(java.util.Arrays.copyOf(lat, n));
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] merged = all.stream().flatMapToLong(java.util.Arrays::stream).sorted().toArray();
        assertTrue(merged.length > 0, "nothing answered at " + url);
        // failures are reported, not fatal: the JDK client retries a connection openssl closed after its answer
        return new Wrk(merged.length / seconds, percentile(merged, 50), percentile(merged, 99), 0, failed.get(), merged.length);
    }

    /** The p-th percentile (0-100) of latencies in nanoseconds, in milliseconds. */
    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    static byte[] pemDer(String pem) {
        return java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    static String ratio(double ours, double theirs) {
        return theirs > 0 ? String.format("%.0f %%", 100 * ours / theirs) : "n/a";
    }
}
