package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bench's wrk parsing, on wrk 4.1's own output: a wrong unit or a missed line would make every figure wrong. */
class BenchSupportTest {

    @Test
    void parsesRateLatencyAndFailures() {
        BenchSupport.Wrk w = BenchSupport.parse("""
                Running 10s test @ http://127.0.0.1:8081/
                  2 threads and 64 connections
                  Thread Stats   Avg      Stdev     Max   +/- Stdev
                    Latency     3.02ms    4.21ms  63.21ms   91.47%
                    Req/Sec    11.28k     1.02k   13.40k    70.50%
                  Latency Distribution
                     50%  635.91us
                     75%    1.01ms
                     90%    6.43ms
                     99%    1.20s
                  224562 requests in 10.01s, 120.82MB read
                  Socket errors: connect 0, read 3, write 1, timeout 2
                  Non-2xx or 3xx responses: 17
                Requests/sec:  22433.15
                Transfer/sec:     12.07MB
                """);
        assertEquals(22433.15, w.rps(), 0.001);
        assertEquals(0.63591, w.p50(), 1e-9);
        assertEquals(1200.0, w.p99(), 1e-9);
        assertEquals(17, w.non2xx());
        assertEquals(3, w.socketErrors(), "connect + write + timeout; read errors are closes by the peer");
        assertEquals(224562, w.requests());
    }

    @Test
    void percentilesOfSortedNanos() {
        long[] nanos = new long[100];
        for (int i = 0; i < 100; i++) {
            nanos[i] = (i + 1) * 1_000_000L;
        }
        assertEquals(50.0, BenchSupport.percentile(nanos, 50), 1e-9);
        assertEquals(99.0, BenchSupport.percentile(nanos, 99), 1e-9);
        assertEquals(1.0, BenchSupport.percentile(nanos, 0), 1e-9);
    }
}
