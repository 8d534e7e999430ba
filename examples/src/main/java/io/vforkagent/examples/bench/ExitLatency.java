package io.vforkagent.examples.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * From a child's exit to {@code waitFor()} returning, with and without the agent: the reaper's
 * hand-off, which the agent's wait4 and exit record sit in. The child is {@code date +%s%N}: it
 * prints the wall clock as its last act; the parent reads it, waits, and takes the clock again.
 * The configurations alternate round by round in fresh JVMs, so that a noisy moment hits all.
 *
 * <p>Usage: {@code ExitLatency <agent.jar> [rounds] [spawns per round]}; with {@code --child n}
 * it is one round's JVM, printing its samples in microseconds.
 */
public final class ExitLatency {
    private ExitLatency() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--child")) {
            child(Integer.parseInt(args[1]));
            return;
        }
        String jar = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        Map<String, List<String>> configs = new LinkedHashMap<>();
        configs.put("no agent", List.of());
        configs.put("vfork-agent", List.of("-javaagent:" + jar + "=jmx=false"));
        configs.put("vfork-agent launcher=jdk", List.of("-javaagent:" + jar + "=launcher=jdk,jmx=false"));
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, List<String>> c : configs.entrySet()) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(c.getValue());
                cmd.addAll(List.of("-cp", cp, ExitLatency.class.getName(), "--child", String.valueOf(n)));
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor() != 0 || out.isEmpty()) {
                    throw new IllegalStateException(c.getKey() + ": round failed");
                }
                List<Double> all = samples.computeIfAbsent(c.getKey(), k -> new ArrayList<>());
                for (String s : out.split(" ")) {
                    all.add(Double.parseDouble(s));
                }
            }
        }
        System.out.printf(Locale.ROOT, "child exit -> waitFor() returns, %d rounds x %d spawns, microseconds%n",
                rounds, n);
        System.out.printf(Locale.ROOT, "  %-26s %8s %8s %8s %8s %8s%n", "", "p50", "p90", "p99", "p99.9", "max");
        for (Map.Entry<String, List<Double>> e : samples.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-26s %8.0f %8.0f %8.0f %8.0f %8.0f%n", e.getKey(), pct(v, 0.5),
                    pct(v, 0.9), pct(v, 0.99), pct(v, 0.999), v[v.length - 1]);
        }
    }

    private static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void child(int n) throws Exception {
        double[] micros = new double[n];
        for (int i = -n / 10; i < n; i++) { // the first tenth warms up, unrecorded
            Process p = new ProcessBuilder("date", "+%s%N").start();
            String stamp;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                stamp = in.readLine();
            }
            p.waitFor();
            Instant now = Instant.now();
            long exitNanos = Long.parseLong(stamp.trim());
            long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            if (i >= 0) {
                micros[i] = (nowNanos - exitNanos) / 1e3;
            }
        }
        StringBuilder sb = new StringBuilder();
        Arrays.stream(micros).forEach(m -> sb.append(String.format(Locale.ROOT, "%.1f ", m)));
        System.out.println(sb.toString().trim());
    }
}
