package io.vforkagent.examples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A small service-like application that spawns the way real services do: version probes, short
 * shell pipelines, redirects to files, a large environment, slow and killed children, failures
 * and a burst from several threads. Run it under the agent to see what vfork-agent records.
 */
public final class DemoApp {
    private final Path work;
    private int ok;
    private int failed;

    private DemoApp(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "target/demo/work"));
        DemoApp app = new DemoApp(work);
        long start = System.nanoTime();
        app.run();
        System.out.printf("demo: %d spawns succeeded, %d failed as intended, in %d ms%n", app.ok, app.failed,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private void run() throws Exception {
        // Version probes and short commands, as build tools and health checks make them.
        run(new ProcessBuilder("git", "--version"));
        run(new ProcessBuilder("uname", "-a"));
        run(new ProcessBuilder("ls", "-la", "/"));
        run(new ProcessBuilder("/bin/sh", "-c", "echo status: ok | tr a-z A-Z"));
        run(new ProcessBuilder("/bin/sh", "-c", "df -h / | tail -n 1"));

        // A pipeline, as ProcessBuilder.startPipeline builds it.
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder("cat", "/etc/passwd"),
                new ProcessBuilder("cut", "-d:", "-f7"),
                new ProcessBuilder("sort", "-u")));
        String shells = new String(pipeline.get(2).getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (Process p : pipeline) {
            p.waitFor();
            ok++;
        }
        System.out.println("demo: login shells in use: " + shells.lines().count());

        // Redirects to files.
        File log = work.resolve("listing.txt").toFile();
        ProcessBuilder toFile = new ProcessBuilder("ls", "-1", "/usr/bin").redirectOutput(log)
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("errors.txt").toFile()));
        run(toFile);

        // A large environment, as a CI runner or a container entrypoint passes it on.
        ProcessBuilder bigEnv = new ProcessBuilder("/bin/sh", "-c", "env | wc -l");
        for (int i = 0; i < 500; i++) {
            bigEnv.environment().put("DEMO_VAR_" + i, "value-" + i + "-".repeat(40));
        }
        run(bigEnv);

        // Credentials on a command line: recorded redacted.
        run(new ProcessBuilder("/bin/echo", "--password", "hunter2", "https://deploy:s3cret@example.com/repo.git"));

        // A slow child, and one the application kills.
        run(new ProcessBuilder("sleep", "1"));
        Process runaway = new ProcessBuilder("sleep", "60").start();
        Thread.sleep(200);
        runaway.destroyForcibly().waitFor();
        ok++;
        run(new ProcessBuilder("/bin/sh", "-c", "kill -TERM $$"));

        // A child that burns some CPU, and one that holds ~300 MB (a report shows both).
        run(new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"));
        run(new ProcessBuilder("/bin/sh", "-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); echo ${#x}"));

        // What goes wrong in production: a missing tool, a file without the exec bit, a bad directory.
        fail(new ProcessBuilder("kubectl-not-installed", "get", "pods"));
        Path script = work.resolve("deploy.sh");
        Files.writeString(script, "#!/bin/sh\necho deploying\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        fail(new ProcessBuilder(script.toString()));
        fail(new ProcessBuilder("ls").directory(work.resolve("no-such-dir").toFile()));

        // A burst from several threads, as a request spike on a service that shells out.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> burst = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            burst.add(pool.submit(() -> {
                int n = 0;
                for (int i = 0; i < 40; i++) {
                    Process p = new ProcessBuilder("/bin/echo", "request-" + thread + "-" + i).start();
                    p.getInputStream().readAllBytes();
                    n += p.waitFor() == 0 ? 1 : 0;
                }
                return n;
            }));
        }
        for (Future<Integer> f : burst) {
            ok += f.get();
        }
        pool.shutdown();
        // Let the last exits and a statistics period reach the recording.
        Thread.sleep(1200);
    }

    private void run(ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.start();
        if (pb.redirectOutput() == ProcessBuilder.Redirect.PIPE) {
            p.getInputStream().readAllBytes();
        }
        p.waitFor();
        ok++;
    }

    private void fail(ProcessBuilder pb) throws InterruptedException {
        try {
            pb.start().waitFor();
            ok++;
        } catch (IOException expected) {
            failed++;
            System.out.println("demo: " + expected.getMessage());
        }
    }
}
