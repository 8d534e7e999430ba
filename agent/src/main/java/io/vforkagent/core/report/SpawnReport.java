package io.vforkagent.core.report;

import io.vforkagent.core.record.ProcessExitEvent;
import io.vforkagent.core.record.SpawnEvent;
import io.vforkagent.core.record.SpawnFailureEvent;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a recording says about spawning: built from the agent's events, or, where a recording has
 * none, from the JDK's own {@code jdk.ProcessStart} (successes only, no timing).
 */
public final class SpawnReport {
    /** One spawn, successful or not. */
    public static final class Spawn {
        public final Instant time;
        public final String program;
        public final long latencyNanos;
        public final String caller;
        public final String launcher;
        public final long pid;

        Spawn(Instant time, String program, long latencyNanos, String caller, String launcher, long pid) {
            this.time = time;
            this.program = program;
            this.latencyNanos = latencyNanos;
            this.caller = caller;
            this.launcher = launcher;
            this.pid = pid;
        }
    }

    /** One failure. */
    public static final class Failure {
        public final Instant time;
        public final String program;
        public final String errnoName;
        public final String step;
        public final String message;

        Failure(Instant time, String program, String errnoName, String step, String message) {
            this.time = time;
            this.program = program;
            this.errnoName = errnoName;
            this.step = step;
            this.message = message;
        }
    }

    /** One exit. Resource figures are -1 where the recording has none. */
    public static final class Exit {
        public final long pid;
        public final String program;
        public final int exitCode;
        public final String signal;
        public final long lifetimeNanos;
        public final long cpuNanos;
        public final long maxRssBytes;

        Exit(long pid, String program, int exitCode, String signal, long lifetimeNanos, long cpuNanos, long maxRssBytes) {
            this.pid = pid;
            this.program = program;
            this.exitCode = exitCode;
            this.signal = signal;
            this.lifetimeNanos = lifetimeNanos;
            this.cpuNanos = cpuNanos;
            this.maxRssBytes = maxRssBytes;
        }
    }

    /** Latency figures of a group of spawns. */
    public static final class Latency {
        public final String name;
        public final int count;
        public final long p50;
        public final long p90;
        public final long p99;
        public final long max;
        public final long total;

        Latency(String name, List<Long> nanos) {
            List<Long> sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            this.name = name;
            this.count = sorted.size();
            this.p50 = percentile(sorted, 0.50);
            this.p90 = percentile(sorted, 0.90);
            this.p99 = percentile(sorted, 0.99);
            this.max = sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1);
            this.total = sorted.stream().mapToLong(Long::longValue).sum();
        }

        /** Nearest-rank percentile. */
        static long percentile(List<Long> sorted, double q) {
            if (sorted.isEmpty()) {
                return 0;
            }
            int rank = (int) Math.ceil(q * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
        }
    }

    public final String source;
    public final List<Spawn> spawns = new ArrayList<>();
    public final List<Failure> failures = new ArrayList<>();
    public final List<Exit> exits = new ArrayList<>();
    public final boolean timed;

    private SpawnReport(String source, boolean timed) {
        this.source = source;
        this.timed = timed;
    }

    public static SpawnReport read(Path recording) throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        boolean agent = events.stream().anyMatch(e -> e.getEventType().getName().startsWith("vforkagent."));
        SpawnReport r = new SpawnReport(agent ? "vfork-agent events" : "jdk.ProcessStart (no timing, no failures)", agent);
        for (RecordedEvent e : events) {
            String name = e.getEventType().getName();
            if (agent && name.equals(SpawnEvent.NAME)) {
                r.spawns.add(new Spawn(e.getStartTime(), e.getString("program"), e.getDuration().toNanos(),
                        caller(e), e.getString("launcher"), e.getLong("pid")));
            } else if (agent && name.equals(SpawnFailureEvent.NAME)) {
                r.failures.add(new Failure(e.getStartTime(), e.getString("program"), e.getString("errnoName"),
                        e.getString("step"), e.getString("message")));
            } else if (agent && name.equals(ProcessExitEvent.NAME)) {
                long cpu = e.hasField("userCpuNanos") ? e.getLong("userCpuNanos") + e.getLong("systemCpuNanos") : -1;
                long rss = e.hasField("maxRssBytes") ? e.getLong("maxRssBytes") : -1;
                r.exits.add(new Exit(e.getLong("pid"), e.getString("program"), e.getInt("exitCode"),
                        e.getString("signal"), e.getLong("lifetimeNanos"), cpu, rss));
            } else if (!agent && name.equals("jdk.ProcessStart")) {
                String command = e.getString("command");
                String program = command == null ? "" : command.split(" ", 2)[0];
                r.spawns.add(new Spawn(e.getStartTime(), program, 0, caller(e), "jdk", e.getLong("pid")));
            }
        }
        return r;
    }

    /** The application frame that made a spawn: the first of its stack trace outside the JDK and the agent. */
    static String caller(RecordedEvent e) {
        if (e.getStackTrace() == null) {
            return "";
        }
        return e.getStackTrace().getFrames().stream()
                .filter(f -> isApplication(f.getMethod().getType().getName()))
                .findFirst()
                .map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName() + ":" + f.getLineNumber())
                .orElse("");
    }

    static boolean isApplication(String type) {
        return io.vforkagent.core.record.Callers.isApplicationClass(type);
    }

    public Latency overall() {
        return new Latency("all", spawns.stream().map(s -> s.latencyNanos).collect(Collectors.toList()));
    }

    /** Per program, most total spawn time first. */
    public List<Latency> perProgram() {
        Map<String, List<Long>> by = new TreeMap<>();
        for (Spawn s : spawns) {
            by.computeIfAbsent(s.program, k -> new ArrayList<>()).add(s.latencyNanos);
        }
        return by.entrySet().stream().map(en -> new Latency(en.getKey(), en.getValue()))
                .sorted(Comparator.comparingLong((Latency l) -> l.total).reversed().thenComparing(l -> l.name))
                .collect(Collectors.toList());
    }

    /** errno + program -> the failures, most frequent first. */
    public Map<String, List<Failure>> failureGroups() {
        Map<String, List<Failure>> by = new LinkedHashMap<>();
        for (Failure f : failures) {
            by.computeIfAbsent(f.errnoName + " " + f.program, k -> new ArrayList<>()).add(f);
        }
        return by.entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, List<Failure>> en) -> en.getValue().size()).reversed()
                        .thenComparing(Map.Entry::getKey))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    public List<Spawn> slowest(int n) {
        return spawns.stream().sorted(Comparator.comparingLong((Spawn s) -> s.latencyNanos).reversed()).limit(n)
                .collect(Collectors.toList());
    }

    public List<Exit> longestRunning(int n) {
        return exits.stream().sorted(Comparator.comparingLong((Exit e) -> e.lifetimeNanos).reversed()).limit(n)
                .collect(Collectors.toList());
    }

    public List<Exit> mostCpu(int n) {
        return exits.stream().filter(e -> e.cpuNanos >= 0)
                .sorted(Comparator.comparingLong((Exit e) -> e.cpuNanos).reversed()).limit(n)
                .collect(Collectors.toList());
    }

    public List<Exit> mostMemory(int n) {
        return exits.stream().filter(e -> e.maxRssBytes >= 0)
                .sorted(Comparator.comparingLong((Exit e) -> e.maxRssBytes).reversed()).limit(n)
                .collect(Collectors.toList());
    }

    /** Spawns and failures per second, from the first to the last event. */
    public List<long[]> perSecond() {
        Instant first = null;
        Instant last = null;
        for (Spawn s : spawns) {
            first = first == null || s.time.isBefore(first) ? s.time : first;
            last = last == null || s.time.isAfter(last) ? s.time : last;
        }
        for (Failure f : failures) {
            first = first == null || f.time.isBefore(first) ? f.time : first;
            last = last == null || f.time.isAfter(last) ? f.time : last;
        }
        List<long[]> rows = new ArrayList<>();
        if (first == null) {
            return rows;
        }
        int seconds = (int) Duration.between(first, last).getSeconds() + 1;
        for (int i = 0; i < seconds; i++) {
            rows.add(new long[] {i, 0, 0});
        }
        for (Spawn s : spawns) {
            rows.get((int) Duration.between(first, s.time).getSeconds())[1]++;
        }
        for (Failure f : failures) {
            rows.get((int) Duration.between(first, f.time).getSeconds())[2]++;
        }
        return rows;
    }

    /** Counts per power-of-two microsecond bucket (index i: up to 2^i us), for the histogram. */
    public long[] histogram() {
        long[] buckets = new long[32];
        for (Spawn s : spawns) {
            buckets[io.vforkagent.core.record.LatencyHistogram.bucket(s.latencyNanos, buckets.length - 1)]++;
        }
        return buckets;
    }
}
