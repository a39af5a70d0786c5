package dev.hsmca.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where an appliance's time went, from a JFR recording: CPU samples by what they were doing (the first rule that any
 * frame of the stack matches), and the time request threads spent blocked (socket reads, monitor waits, parks of
 * 20 ms or more in the default settings) by what they waited for; and the CPU each kind of thread used.
 */
final class JfrSummary {
    /** Ordered: the first rule whose prefix appears in a stack names the sample. */
    static final List<Map.Entry<String, List<String>>> CPU_RULES = List.of(
            Map.entry("HSM signing (SunPKCS11)", List.of("sun.security.pkcs11.")),
            Map.entry("TLS", List.of("sun.security.ssl.", "io.netty.handler.ssl.")),
            Map.entry("CSR checks", List.of("dev.hsmca.appliance.issuance.CsrInspector", "org.bouncycastle.pkcs.")),
            Map.entry("audit chain", List.of("dev.hsmca.appliance.audit.")),
            Map.entry(
                    "database",
                    List.of(
                            "org.h2.",
                            "org.postgresql.",
                            "com.zaxxer.",
                            "io.micronaut.data.",
                            "io.micronaut.transaction.")),
            Map.entry("JSON", List.of("com.fasterxml.jackson.", "io.micronaut.serde.", "io.micronaut.json.")),
            Map.entry("certificate building and lint (BouncyCastle)", List.of("org.bouncycastle.")),
            Map.entry("HTTP (Netty, Micronaut)", List.of("io.netty.", "io.micronaut.http.")));

    private JfrSummary() {}

    /** The events that started between {@code from} and {@code to}. */
    static String summarize(Path recording, Instant from, Instant to) throws IOException {
        Map<String, Integer> cpu = new LinkedHashMap<>();
        Map<String, Double> blocked = new LinkedHashMap<>();
        int samples = 0;
        Map<String, double[]> threadLoad = new LinkedHashMap<>(); // per thread: sum of loads, count
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String type = e.getEventType().getName();
            if (e.getStartTime().isBefore(from) || e.getStartTime().isAfter(to)) {
                continue;
            }
            if (type.equals("jdk.ThreadCPULoad") && e.getThread() != null) {
                double[] l = threadLoad.computeIfAbsent(e.getThread().getJavaName(), k -> new double[2]);
                l[0] += e.getFloat("user") + e.getFloat("system");
                l[1]++;
            }
            if (e.getStackTrace() == null) {
                continue;
            }
            List<String> classes = e.getStackTrace().getFrames().stream()
                    .map(RecordedFrame::getMethod)
                    .map(m -> m.getType().getName() + "." + m.getName())
                    .toList();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                cpu.merge(classify(classes), 1, Integer::sum);
            } else if (type.equals("jdk.SocketRead")
                    || type.equals("jdk.JavaMonitorEnter")
                    || type.equals("jdk.JavaMonitorWait")
                    || type.equals("jdk.ThreadPark")) {
                String why = waitReason(classes);
                if (why != null) {
                    blocked.merge(why, e.getDuration().toNanos() / 1e6, Double::sum);
                }
            }
        }
        int total = Math.max(1, samples);
        String cpuPart = cpu.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(en -> String.format("%s %.0f %%", en.getKey(), 100.0 * en.getValue() / total))
                .collect(Collectors.joining(", "));
        String blockedPart = blocked.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(en -> String.format("%s %,.0f ms", en.getKey(), en.getValue()))
                .collect(Collectors.joining(", "));
        Map<String, Double> byKind = new LinkedHashMap<>();
        threadLoad.forEach((name, l) -> byKind.merge(threadKind(name), 100 * l[0] / l[1], Double::sum));
        String loadPart = byKind.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .map(en -> String.format("%s %.0f %%", en.getKey(), en.getValue()))
                .collect(Collectors.joining(", "));
        return "CPU by thread (share of both cores): " + loadPart + ". CPU samples of Java code (" + samples + "): "
                + cpuPart + ". Request threads blocked (sum over threads): "
                + (blockedPart.isEmpty() ? "none over the threshold" : blockedPart) + ".";
    }

    static String classify(List<String> frames) {
        for (Map.Entry<String, List<String>> rule : CPU_RULES) {
            for (String f : frames) {
                for (String prefix : rule.getValue()) {
                    if (f.startsWith(prefix)) {
                        return rule.getKey();
                    }
                }
            }
        }
        return "other (JDK, application code)";
    }

    static String threadKind(String name) {
        if (name == null) {
            return "other";
        }
        if (name.startsWith("io-executor")) {
            return "request threads";
        }
        if (name.contains("eventLoopGroup")) {
            return "Netty event loops (TLS, HTTP)";
        }
        if (name.contains("CompilerThread")) {
            return "JIT compiler";
        }
        if (name.equals("group-commit")) {
            return "group commit (the batches' SQL and commits)";
        }
        return "other";
    }

    /** Why a request thread was blocked; null for idle pool threads and event loops waiting for work. */
    static String waitReason(List<String> frames) {
        boolean request = frames.stream().anyMatch(f -> f.startsWith("dev.hsmca.appliance."));
        if (!request) {
            return null;
        }
        boolean audit = frames.stream().anyMatch(f -> f.startsWith("dev.hsmca.appliance.audit."));
        if (frames.stream().anyMatch(f -> f.startsWith("com.zaxxer.hikari.pool.HikariPool.getConnection"))) {
            return "waiting for a pooled connection";
        }
        if (frames.stream().anyMatch(f -> f.startsWith("dev.hsmca.appliance.store.GroupCommit.write"))) {
            return "waiting for its group commit";
        }
        if (audit) {
            return "in the audit append (its SQL)";
        }
        if (frames.stream().anyMatch(f -> f.startsWith("org.h2.") || f.startsWith("org.postgresql."))) {
            return "other database calls (incl. commit)";
        }
        if (frames.stream().anyMatch(f -> f.startsWith("sun.security.pkcs11."))) {
            return "HSM";
        }
        return "other";
    }
}
