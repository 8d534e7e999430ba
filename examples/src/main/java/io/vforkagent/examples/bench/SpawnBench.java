package io.vforkagent.examples.bench;

import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs inside the JVM under test: spawn+wait of a program in a loop from N threads, with M extra
 * descriptors open, for a fixed time; {@code start()} is timed per spawn.
 *
 * <p>Usage: {@code SpawnBench <threads> <open fds> <milliseconds> <program>}. Prints
 * {@code RESULT spawns_per_sec=... p50_us=... p99_us=... count=...} like the C baseline.
 */
public final class SpawnBench {
    private SpawnBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int fds = Integer.parseInt(args[1]);
        long millis = Long.parseLong(args[2]);
        String program = args[3];
        List<FileInputStream> held = new ArrayList<>();
        for (int i = 0; i < fds; i++) {
            held.add(new FileInputStream("/dev/null"));
        }
        // Warm-up: class loading and JIT are not what is measured.
        for (int i = 0; i < 50; i++) {
            new ProcessBuilder(program).start().waitFor();
        }
        long end = System.nanoTime() + millis * 1_000_000L;
        long[][] samples = new long[threads][];
        AtomicInteger total = new AtomicInteger();
        Thread[] workers = new Thread[threads];
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                long[] mine = new long[1 << 20];
                int n = 0;
                try {
                    while (System.nanoTime() < end && n < mine.length) {
                        long t0 = System.nanoTime();
                        Process p = new ProcessBuilder(program).start();
                        mine[n++] = System.nanoTime() - t0;
                        p.waitFor();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                samples[id] = Arrays.copyOf(mine, n);
                total.addAndGet(n);
            });
            workers[t].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf(java.util.Locale.ROOT, "RESULT spawns_per_sec=%.1f p50_us=%.1f p99_us=%.1f count=%d%n",
                all.length / secs, all.length == 0 ? 0 : all[all.length / 2] / 1e3,
                all.length == 0 ? 0 : all[(int) (all.length * 0.99)] / 1e3, all.length);
        for (FileInputStream f : held) {
            f.close();
        }
    }
}
