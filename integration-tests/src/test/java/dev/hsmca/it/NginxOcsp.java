package dev.hsmca.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** nginx serving a pre-signed OCSP answer as a static file (the OCSP bench's ceiling), and GETs of both in turn. */
final class NginxOcsp {
    private NginxOcsp() {}

    record Site(Path web, Path conf, int port) {}

    /** Its own folder, readable by nginx's unprivileged workers (the test's folders are private). */
    static Site site(byte[] presigned) throws Exception {
        Path web = Files.createTempDirectory("ocspbench-web");
        Files.setPosixFilePermissions(web, PosixFilePermissions.fromString("rwxr-xr-x"));
        OcspBench.write(web, "resp.der", presigned);
        int nginxPort = Ports.fixed(); // nginx refuses 'listen ...:0' (see Ports)
        Path conf =
                OcspBench.write(web, "nginx.conf", """
                daemon off;
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  client_body_temp_path %1$s; proxy_temp_path %1$s; fastcgi_temp_path %1$s; uwsgi_temp_path %1$s; scgi_temp_path %1$s;
                  server {
                    listen 127.0.0.1:%2$d;
                    root %1$s;
                    location / {
                      default_type application/ocsp-response;
                      error_page 405 =200 /resp.der;
                      try_files /resp.der =404;
                    }
                  }
                }
                """.formatted(web, nginxPort).getBytes(StandardCharsets.UTF_8));
        return new Site(web, conf, nginxPort);
    }

    /**
     * GET at 64 connections from ours and nginx in turn, both servers up, the order alternating each round: one
     * 10 s run of each (the table's rows) is at the mercy of what the machine does meanwhile.
     */
    static String interleavedGet(String ours, String nginx) throws Exception {
        return interleaved("GET (RFC 5019)", ours, nginx, null, Map.of());
    }

    /** The same for a request a wrk script makes (POST). */
    static String interleaved(String request, String ours, String nginx, Path lua, Map<String, String> env)
            throws Exception {
        int rounds = 5;
        BenchSupport.wrk(ours, 64, BenchSupport.run(3), lua, env); // warm-up
        BenchSupport.wrk(nginx, 64, BenchSupport.run(3), lua, env);
        double[] oursRps = new double[rounds];
        double[] oursP99 = new double[rounds];
        double[] nginxRps = new double[rounds];
        double[] nginxP99 = new double[rounds];
        int ahead = 0;
        for (int i = 0; i < rounds; i++) {
            BenchSupport.Wrk o;
            BenchSupport.Wrk n;
            if (i % 2 == 0) {
                o = BenchSupport.wrk(ours, 64, BenchSupport.run(6), lua, env);
                n = BenchSupport.wrk(nginx, 64, BenchSupport.run(6), lua, env);
            } else {
                n = BenchSupport.wrk(nginx, 64, BenchSupport.run(6), lua, env);
                o = BenchSupport.wrk(ours, 64, BenchSupport.run(6), lua, env);
            }
            assertEquals(0, o.non2xx() + o.socketErrors(), "ours answered every request");
            oursRps[i] = o.rps();
            oursP99[i] = o.p99();
            nginxRps[i] = n.rps();
            nginxP99[i] = n.p99();
            ahead += o.rps() >= n.rps() ? 1 : 0;
        }
        return String.format(
                Locale.ROOT,
                "%s at 64 connections, ours and nginx in turn (%d rounds of 6 s, the order alternating, "
                        + "both servers up): median %,.0f req/s (p99 %.2f ms) against nginx's %,.0f (p99 %.2f ms), "
                        + "%s of nginx; ours ahead in %d of %d rounds.",
                request,
                rounds,
                median(oursRps),
                median(oursP99),
                median(nginxRps),
                median(nginxP99),
                BenchSupport.ratio(median(oursRps), median(nginxRps)),
                ahead,
                rounds);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
