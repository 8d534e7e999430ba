package io.vforkagent.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many threads spawning at once, mixing successes, failures, redirects, large environments,
 * pipelines and large outputs, while the JVM takes thread dumps (SIGQUIT) and collects garbage.
 * Every child echoes a unique token or has a known result; afterwards no descriptor is lost and
 * no zombie is left. Usage: {@code StressApp <threads> <iterations per thread> <work dir>}.
 * Prints {@code STRESS spawns=… failures=… bad=… seconds=… fdsBefore=… fdsAfter=… zombies=…}.
 */
public final class StressApp {
    private static final AtomicInteger spawns = new AtomicInteger();
    private static final AtomicInteger failures = new AtomicInteger();
    private static final AtomicInteger bad = new AtomicInteger();

    private StressApp() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        int iterations = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        Path notExec = work.resolve("not-executable");
        Files.writeString(notExec, "#!/bin/sh\n");
        Descriptors.warmUp();
        int fdsBefore = Descriptors.count();
        String before = Descriptors.describe();
        AtomicBoolean done = new AtomicBoolean();
        Thread gc = new Thread(() -> {
            List<byte[]> junk = new ArrayList<>();
            while (!done.get()) {
                junk.add(new byte[64 * 1024]);
                if (junk.size() > 200) {
                    junk.clear();
                    System.gc();
                }
            }
        });
        gc.start();
        Thread dumps = new Thread(() -> {
            while (!done.get()) {
                try {
                    new ProcessBuilder("kill", "-QUIT", String.valueOf(ProcessHandle.current().pid())).start().waitFor();
                    spawns.incrementAndGet();
                    Thread.sleep(300);
                } catch (Exception e) {
                    bad.incrementAndGet();
                }
            }
        });
        dumps.start();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                for (int i = 0; i < iterations; i++) {
                    String token = "tok-" + thread + "-" + i;
                    try {
                        one(i % 8, token, work, notExec);
                    } catch (Exception e) {
                        bad.incrementAndGet();
                        System.err.println("BAD " + token + ": " + e);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        done.set(true);
        gc.join();
        dumps.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        int fdsAfter = Descriptors.settled(fdsBefore);
        System.out.printf(java.util.Locale.ROOT, "STRESS spawns=%d failures=%d bad=%d seconds=%.1f fdsBefore=%d fdsAfter=%d zombies=%d%n",
                spawns.get(), failures.get(), bad.get(), seconds, fdsBefore, fdsAfter, Descriptors.zombies());
        if (fdsAfter != fdsBefore) {
            System.out.println("FDS before " + before + "\nFDS after  " + Descriptors.describe());
        }
        SpawnApp.printAgent(10);
    }

    private static void one(int kind, String token, Path work, Path notExec) throws Exception {
        switch (kind) {
            case 0:
                expect(new ProcessBuilder("/bin/echo", token), token + "\n", 0);
                break;
            case 1:
                expectFailure(new ProcessBuilder("/no/such/" + token));
                break;
            case 2:
                expectFailure(new ProcessBuilder(notExec.toString()));
                break;
            case 3: {
                File f = work.resolve(token + ".txt").toFile();
                Process p = new ProcessBuilder("/bin/echo", token).redirectOutput(f).start();
                spawns.incrementAndGet();
                check(p.waitFor() == 0 && Files.readString(f.toPath()).equals(token + "\n"), token + " file");
                Files.delete(f.toPath());
                break;
            }
            case 4: {
                ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "echo \"$TOK\"");
                for (int v = 0; v < 200; v++) {
                    pb.environment().put("STRESS_" + v, "value-" + v + "-".repeat(50));
                }
                pb.environment().put("TOK", token);
                expect(pb, token + "\n", 0);
                break;
            }
            case 5: {
                List<Process> ps = ProcessBuilder.startPipeline(List.of(new ProcessBuilder("/bin/echo", token),
                        new ProcessBuilder("cat"), new ProcessBuilder("cat")));
                spawns.addAndGet(3);
                String out = new String(ps.get(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                for (Process p : ps) {
                    check(p.waitFor() == 0, token + " pipeline exit");
                }
                check(out.equals(token + "\n"), token + " pipeline: " + out);
                break;
            }
            case 6: {
                Process p = new ProcessBuilder("/bin/sh", "-c", "head -c 1000000 /dev/zero | tr '\\0' x; echo " + token)
                        .start();
                spawns.incrementAndGet();
                byte[] out = p.getInputStream().readAllBytes();
                check(p.waitFor() == 0 && out.length == 1_000_000 + token.length() + 1, token + " large output "
                        + out.length);
                break;
            }
            default: {
                int code = Math.abs(token.hashCode()) % 200;
                expect(new ProcessBuilder("/bin/sh", "-c", "echo " + token + "; exit " + code), token + "\n", code);
            }
        }
    }

    private static void expect(ProcessBuilder pb, String out, int exit) throws Exception {
        Process p = pb.start();
        spawns.incrementAndGet();
        String got = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        check(got.equals(out) && code == exit, pb.command() + " gave " + got.trim() + " exit " + code);
    }

    private static void expectFailure(ProcessBuilder pb) {
        try {
            pb.start();
            bad.incrementAndGet();
        } catch (IOException expected) {
            failures.incrementAndGet();
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            bad.incrementAndGet();
            System.err.println("BAD " + what);
        }
    }
}
