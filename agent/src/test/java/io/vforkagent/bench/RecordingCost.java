package io.vforkagent.bench;

import io.vforkagent.core.Options;
import io.vforkagent.core.launch.Outcomes;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.record.Recorder;
import jdk.jfr.Recording;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * What recording adds to each spawn, measured on the recording path alone (a spawn itself is
 * ~1 ms of noise on top): the agent's calls for one spawn and its exit, as the spawn path makes
 * them, with JFR not recording and with JFR recording every agent event and its stack trace.
 * Run by {@code ./bench.sh}; prints {@code RECORDING-COST off_ns=… jfr_ns=…}.
 */
public final class RecordingCost {
    private static final byte[] PROG = "/bin/echo\0".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ARGS = "--password\0hunter2\0hello world\0".getBytes(StandardCharsets.UTF_8);

    private RecordingCost() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Recorder recorder = new Recorder(Options.parse("", new Properties()));
        recorder.trackExits(true);
        measure(recorder, n); // warm-up: JIT
        double off = measure(recorder, n);
        Path file = Files.createTempFile("vfork-agent-cost", ".jfr");
        double on;
        try (Recording r = new Recording()) {
            r.enable("vforkagent.Spawn").withStackTrace().withThreshold(java.time.Duration.ZERO);
            r.enable("vforkagent.SpawnFailure").withStackTrace();
            r.enable("vforkagent.ProcessExit");
            r.start();
            measure(recorder, n / 4); // warm-up with events on
            on = measure(recorder, n);
            r.stop();
        } finally {
            Files.deleteIfExists(file);
        }
        System.out.printf(Locale.ROOT, "RECORDING-COST off_ns=%.0f jfr_ns=%.0f%n", off, on);
    }

    /** Nanoseconds per spawn+exit record. */
    private static double measure(Recorder recorder, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Object event = recorder.beginSpawn();
            SpawnRequest request = new SpawnRequest(null, 0, null, PROG, ARGS, 3, null, 0, null, new int[] {-1, -1, 2},
                    false);
            int pid = 1_000_000 + (i & 0xffff);
            SpawnOutcome outcome = Outcomes.started(pid, recorder.wantsExecutable(event));
            recorder.record(event, request, outcome);
            recorder.exited(pid, Outcomes.exited());
        }
        return (System.nanoTime() - t0) / (double) n;
    }
}
