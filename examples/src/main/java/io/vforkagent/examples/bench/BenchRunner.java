package io.vforkagent.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark driver: every launcher on every scenario, configurations alternating round by
 * round in one run (so a noisy moment hits all of them), then one table with absolute figures and
 * ratios against the JDK's default launcher, the fair C limit (the same work as a Java spawn+wait:
 * three pipes, a reaper thread handing the status over) and the raw clone floor.
 *
 * <p>Usage: {@code BenchRunner <agent jar> <spawn_bench binary> [--quick]}.
 */
public final class BenchRunner {
    private static final Pattern RESULT = Pattern.compile(
            "RESULT spawns_per_sec=([\\d.]+) p50_us=([\\d.]+) p99_us=([\\d.]+) count=(\\d+)");
    private static final Pattern STARTUP = Pattern.compile("STARTUP hwm_kib=(\\d+) first_spawn_us=([-\\d.]+)");
    private static final String DEFAULT = "JDK POSIX_SPAWN (default)";
    private static final String AGENT = "vfork-agent";
    private static final String RECORD_ONLY = "vfork-agent launcher=jdk";
    private static final String RECORD_ALL = "launcher=jdk, JFR recording";
    private static final String C_LIMIT = "C clone-vfork (floor)";
    private static final String C_FAIR = "C fair (pipes, reaper)";
    private static final String C_POSIX = "C posix_spawn";

    private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classpath = System.getProperty("java.class.path");
    private final String agentJar;
    private final String cBench;
    private final int rounds;
    private final long millis;

    /** One scenario: JVM options, threads, open descriptors; whether the C programs run too. */
    private static final class Scenario {
        final String name;
        final List<String> jvm;
        final int threads;
        final int fds;
        final boolean c;

        Scenario(String name, List<String> jvm, int threads, int fds, boolean c) {
            this.name = name;
            this.jvm = jvm;
            this.threads = threads;
            this.fds = fds;
            this.c = c;
        }
    }

    private BenchRunner(String agentJar, String cBench, boolean quick) {
        this.agentJar = agentJar;
        this.cBench = cBench;
        this.rounds = quick ? 1 : 3;
        this.millis = quick ? 1000 : 2000;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 2 && args[2].equals("--quick");
        new BenchRunner(args[0], args[1], quick).run(quick);
    }

    private Map<String, List<String>> launchers() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put(DEFAULT, List.of("-Djdk.lang.Process.launchMechanism=POSIX_SPAWN"));
        m.put("JDK VFORK", List.of("-Djdk.lang.Process.launchMechanism=VFORK"));
        m.put("JDK FORK", List.of("-Djdk.lang.Process.launchMechanism=FORK"));
        m.put(AGENT, List.of("-javaagent:" + agentJar + "=jmx=false"));
        m.put(RECORD_ONLY, List.of("-javaagent:" + agentJar + "=launcher=jdk,jmx=false"));
        // Recording on: every event of the agent committed with its stack trace (no SLF4J here, so
        // no DEBUG lines: their cost depends on the application's logging backend).
        m.put(RECORD_ALL, List.of("-javaagent:" + agentJar + "=launcher=jdk,jmx=false",
                "-XX:StartFlightRecording=filename=" + tmp("bench.jfr") + ",settings=profile"));
        m.put(C_FAIR, null);
        m.put(C_LIMIT, null);
        m.put(C_POSIX, null);
        return m;
    }

    private void run(boolean quick) throws Exception {
        List<Scenario> scenarios = new ArrayList<>();
        scenarios.add(new Scenario("small heap, 1 thread", List.of("-Xmx256m"), 1, 0, true));
        if (!quick) {
            scenarios.add(new Scenario("8 GiB heap pre-touched, 1 thread",
                    List.of("-Xms8g", "-Xmx8g", "-XX:+AlwaysPreTouch"), 1, 0, false));
        }
        scenarios.add(new Scenario("10,000 open fds, 1 thread", List.of("-Xmx256m"), 1, 10_000, true));
        scenarios.add(new Scenario("4 threads", List.of("-Xmx256m"), 4, 0, true));
        if (!quick) {
            scenarios.add(new Scenario("16 threads", List.of("-Xmx256m"), 16, 0, true));
        }
        Map<String, List<String>> launchers = launchers();
        // scenario -> launcher -> per-round {spawns/s, p50, p99}
        Map<String, Map<String, List<double[]>>> results = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(launchers.keySet());
        long began = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            for (Scenario s : scenarios) {
                for (int i = 0; i < names.size(); i++) {
                    // Rotate the order each round: no launcher always runs first or last.
                    String launcher = names.get((i + round) % names.size());
                    List<String> opts = launchers.get(launcher);
                    if (opts == null && !s.c) {
                        continue;
                    }
                    double[] r = opts == null ? runC(launcher.equals(C_LIMIT) ? "clone" : launcher.equals(C_FAIR) ? "fair" : "posix_spawn", s)
                            : runJava(opts, s);
                    results.computeIfAbsent(s.name, k -> new LinkedHashMap<>())
                            .computeIfAbsent(launcher, k -> new ArrayList<>()).add(r);
                    System.err.printf(Locale.ROOT, "round %d  %-34s %-28s %8.1f spawns/s%n", round + 1, s.name,
                            launcher, r[0]);
                }
            }
        }
        double[][] startup = startup(quick ? 3 : 7);
        print(results, startup, (System.nanoTime() - began) / 1e9);
    }

    private double[] runJava(List<String> launcherOpts, Scenario s) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(s.jvm);
        cmd.addAll(launcherOpts);
        cmd.addAll(List.of("-cp", classpath, SpawnBench.class.getName(), String.valueOf(s.threads),
                String.valueOf(s.fds), String.valueOf(millis), "/bin/true"));
        return parse(exec(cmd), RESULT, cmd);
    }

    private double[] runC(String mode, Scenario s) throws Exception {
        List<String> cmd = List.of(cBench, mode, String.valueOf(s.threads), String.valueOf(s.fds),
                String.valueOf(millis), "/bin/true");
        return parse(exec(cmd), RESULT, cmd);
    }

    private static double[] parse(String out, Pattern p, List<String> cmd) {
        Matcher m = p.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no result from " + cmd + ":\n" + out);
        }
        double[] r = new double[m.groupCount()];
        for (int i = 0; i < r.length; i++) {
            r[i] = Double.parseDouble(m.group(i + 1));
        }
        return r;
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bench", ".out");
        Path err = Files.createTempFile("bench", ".err");
        try {
            // Apart, then joined: the agent's start line on stderr must not land inside a result line.
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Start-up cost, alternating with and without the agent: {wall ms, peak RSS KiB, first spawn
     * us} medians for [0] no agent, [1] agent.
     */
    private double[][] startup(int n) throws Exception {
        List<List<double[]>> runs = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < n; i++) {
            for (int with = 0; with < 2; with++) {
                List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto"));
                if (with == 1) {
                    cmd.add("-javaagent:" + agentJar + "=jmx=false");
                }
                cmd.addAll(List.of("-cp", classpath, StartupProbe.class.getName()));
                long t0 = System.nanoTime();
                double[] r = parse(exec(cmd), STARTUP, cmd);
                double wall = (System.nanoTime() - t0) / 1e6;
                cmd.add("spawn");
                double[] s = parse(exec(cmd), STARTUP, cmd);
                runs.get(with).add(new double[] {wall, r[0], s[1]});
            }
        }
        double[][] med = new double[2][];
        for (int with = 0; with < 2; with++) {
            med[with] = new double[] {median(runs.get(with), 0), median(runs.get(with), 1), median(runs.get(with), 2)};
        }
        return med;
    }

    private static double median(List<double[]> rows, int col) {
        double[] v = rows.stream().mapToDouble(r -> r[col]).sorted().toArray();
        return v[v.length / 2];
    }

    private void print(Map<String, Map<String, List<double[]>>> results, double[][] startup, double seconds)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "vfork-agent benchmark: spawn+wait of /bin/true, %d round(s) of %d ms per "
                + "configuration, alternating; medians of rounds (%.0f s)%n", rounds, millis, seconds));
        sb.append("machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(cpuModel()).append(", Linux ").append(System.getProperty("os.version"))
                .append("; JDK ").append(Runtime.version()).append('\n');
        for (Map.Entry<String, Map<String, List<double[]>>> sc : results.entrySet()) {
            sb.append('\n').append(sc.getKey()).append('\n');
            sb.append(String.format("  %-28s %10s %9s %9s %9s %12s %10s %10s%n", "launcher", "spawns/s", "vs JDK",
                    "vs fair", "vs floor", "start() p50", "p99", "p50 vs JDK"));
            Map<String, List<double[]>> byLauncher = sc.getValue();
            double jdkRate = med(byLauncher.get(DEFAULT), 0);
            double jdkP50 = med(byLauncher.get(DEFAULT), 1);
            List<double[]> c = byLauncher.get(C_LIMIT);
            List<double[]> fair = byLauncher.get(C_FAIR);
            if (byLauncher.containsKey(RECORD_ONLY) && byLauncher.containsKey(RECORD_ALL)) {
                // What recording adds per spawn, from the rates (noisy: a few us against ~1 ms).
                double noAgent = 1e6 / jdkRate;
                sb.append(String.format(Locale.ROOT, "  recording cost per spawn+wait: record-only %+.1f us, with JFR recording %+.1f us%n",
                        1e6 / med(byLauncher.get(RECORD_ONLY), 0) - noAgent, 1e6 / med(byLauncher.get(RECORD_ALL), 0) - noAgent));
            }
            for (Map.Entry<String, List<double[]>> l : byLauncher.entrySet()) {
                double rate = med(l.getValue(), 0);
                double p50 = med(l.getValue(), 1);
                sb.append(String.format(Locale.ROOT, "  %-28s %10.0f %8.2fx %9s %9s %9.0f us %7.0f us %9.2fx%n",
                        l.getKey(), rate, rate / jdkRate, ratio(rate, fair), ratio(rate, c), p50, med(l.getValue(), 2),
                        p50 / jdkP50));
            }
        }
        sb.append(String.format(Locale.ROOT, "%nstart-up of a hello-world JVM (medians)%n"));
        sb.append(String.format(Locale.ROOT, "  %-16s %10s %14s %16s%n", "", "wall", "peak RSS", "first spawn"));
        sb.append(String.format(Locale.ROOT, "  %-16s %7.0f ms %10.1f MiB %13.0f us%n", "no agent", startup[0][0],
                startup[0][1] / 1024, startup[0][2]));
        sb.append(String.format(Locale.ROOT, "  %-16s %7.0f ms %10.1f MiB %13.0f us%n", "vfork-agent", startup[1][0],
                startup[1][1] / 1024, startup[1][2]));
        sb.append(String.format(Locale.ROOT, "  %-16s %+7.0f ms %+10.1f MiB%n", "added", startup[1][0] - startup[0][0],
                (startup[1][1] - startup[0][1]) / 1024));
        System.out.print(sb);
    }

    private static String ratio(double rate, List<double[]> base) {
        return base == null ? "-" : String.format(Locale.ROOT, "%.2fx", rate / med(base, 0));
    }

    private static String tmp(String name) {
        return Path.of(System.getProperty("java.io.tmpdir"), "vfork-agent-" + name).toString();
    }

    private static double med(List<double[]> rows, int col) {
        return rows == null ? Double.NaN : median(rows, col);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.replaceFirst("model name\\s*:\\s*", "")).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
