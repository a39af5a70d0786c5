package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benches share: run lengths ({@code -Dbench.smoke=true} makes every run about a second and skips the
 * warm-ups and the rows that repeat a code path at another concurrency, for the smoke run in
 * {@code make test}), wrk runs and their parsing, RSS from /proc, and the markdown part each bench writes to
 * {@code bench.results} (scripts/bench.sh joins them into bench/results/latest.md).
 */
final class BenchSupport {
    static final boolean SMOKE = Boolean.getBoolean("bench.smoke");

    private BenchSupport() {}

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

    /** CPU time used so far (user + system) by a process, in ms (Linux /proc; the clock tick is 100 Hz here). */
    static long cpuMillis(long pid) throws IOException {
        return statCpuMillis(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** utime + stime (fields 14 and 15) of a /proc stat line, in ms; the name in parentheses may hold spaces. */
    private static long statCpuMillis(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1); // fields 14, 15 are far from the end
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** CPU time used so far by a JVM's JIT compiler threads, in ms (Linux /proc, per thread). */
    static long jitCpuMillis(long pid) throws IOException {
        long ms = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (comm.contains("CompilerThre")) {
                    ms += statCpuMillis(stat);
                }
            }
        }
        return ms;
    }

    /** One wrk run: requests/s, latency percentiles in ms, and anything that was not a 2xx. */
    record Wrk(double rps, double p50, double p99, long non2xx, long socketErrors, long requests) {
        String cells() {
            return String.format("%,.0f | %.2f | %.2f", rps, p50, p99)
                    + (socketErrors > 0 ? " (" + socketErrors + " errors)" : "");
        }
    }

    /**
     * wrk against {@code url} with {@code connections} kept-alive connections; the Lua script and environment shape
     * the request. Fails when no request was answered or any answer was not 2xx.
     */
    static Wrk wrk(String url, int connections, Duration duration, Path lua, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "wrk",
                "-t",
                Integer.toString(Math.min(2, connections)),
                "-c",
                Integer.toString(connections),
                "-d",
                duration.toSeconds() + "s",
                "--latency",
                "--timeout",
                "5s"));
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
        Matcher e = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
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
        Matcher m =
                Pattern.compile("\\s" + percentile + "\\s+([\\d.]+)(us|ms|s)").matcher(out);
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

    /** One thread's work, called again and again: true when the call succeeded. */
    interface Call {
        boolean call() throws Exception;
    }

    /** A timed run: successes, failures (false or an exception), successes/s, and their latencies (ns, sorted). */
    record Timed(long ok, long failed, double perSecond, long[] latencies) {
        double p(double percentile) {
            return BenchSupport.percentile(latencies, percentile);
        }
    }

    /** {@code threads} threads, each calling its own {@link Call} (made by {@code perThread}) for the duration. */
    static Timed timed(int threads, Duration duration, IntFunction<Call> perThread) throws InterruptedException {
        ConcurrentLinkedQueue<long[]> all = new ConcurrentLinkedQueue<>();
        LongAdder failed = new LongAdder();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Call call = perThread.apply(t);
            Thread th = new Thread(() -> {
                long[] lat = new long[1 << 20];
                int n = 0;
                while (System.nanoTime() < end) {
                    long s = System.nanoTime();
                    boolean ok;
                    try {
                        ok = call.call();
                    } catch (Exception e) {
                        ok = false;
                    }
                    if (!ok) {
                        failed.increment();
                    } else if (n < lat.length) {
                        lat[n++] = System.nanoTime() - s;
                    }
                }
                all.add(Arrays.copyOf(lat, n));
            });
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Timed(merged.length, failed.sum(), merged.length / seconds, merged);
    }

    /**
     * A Java load loop for servers wrk cannot drive (openssl's responder answered wrk's first run and then nothing):
     * {@code threads} threads, each posting the bodies in turn with its own JDK HttpClient for the duration.
     * Failures are reported, not fatal: the JDK client retries a connection openssl closed after its answer.
     */
    static Wrk javaLoad(String url, List<byte[]> bodies, int threads, Duration duration) throws Exception {
        Timed t = timed(threads, duration, offset -> {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build();
            int[] next = {offset};
            return () -> client.send(
                                    HttpRequest.newBuilder(URI.create(url))
                                            .timeout(Duration.ofSeconds(5))
                                            .header("Content-Type", "application/ocsp-request")
                                            .POST(HttpRequest.BodyPublishers.ofByteArray(
                                                    bodies.get(next[0]++ % bodies.size())))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray())
                            .statusCode()
                    == 200;
        });
        assertTrue(t.ok() > 0, "nothing answered at " + url);
        return new Wrk(t.perSecond(), t.p(50), t.p(99), 0, t.failed(), t.ok());
    }

    /** The p-th percentile (0-100) of latencies in nanoseconds, in milliseconds. */
    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sortedNanos.length - 1, Math.ceil(p / 100 * sortedNanos.length) - 1);
        return sortedNanos[Math.max(0, i)] / 1e6;
    }

    static String ratio(double ours, double theirs) {
        return theirs > 0 ? String.format("%.0f %%", 100 * ours / theirs) : "n/a";
    }
}
