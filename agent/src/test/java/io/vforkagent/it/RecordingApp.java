package io.vforkagent.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Known spawns for {@link RecordingIT}: a success with every recorded detail set, exits by code
 * and by signal, and one of each failure kind. Usage: {@code RecordingApp <work dir>}.
 */
public final class RecordingApp {
    private RecordingApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("MAIN-STARTED");
        Path work = Files.createDirectories(Path.of(args[0]));
        ProcessBuilder detailed = new ProcessBuilder("echo", "--password", "hunter2", "visible")
                .directory(work.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        detailed.environment().put("VFA_SECRET_ENV", "env-secret-value");
        int envCount = detailed.environment().size();
        Process p = detailed.start();
        System.out.println("detailed pid=" + p.pid() + " envc=" + envCount + " out="
                + new String(p.getInputStream().readAllBytes()).trim());
        p.waitFor();

        Process code = new ProcessBuilder("/bin/sh", "-c", "exit 3").start();
        System.out.println("code pid=" + code.pid() + " exit=" + code.waitFor());
        Process signalled = new ProcessBuilder("/bin/sh", "-c", "kill -TERM $$").start();
        System.out.println("signal pid=" + signalled.pid() + " exit=" + signalled.waitFor());
        // A child that burns CPU and holds ~300 MB: more than this JVM's own peak, so its figure is its own.
        Process burner = new ProcessBuilder("/bin/sh", "-c",
                "x=$(head -c 300000000 /dev/zero | tr '\\0' a); i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done")
                .start();
        System.out.println("burner pid=" + burner.pid() + " exit=" + burner.waitFor());
        // Never waited for by the application: its exit must still be recorded.
        Process unwaited = new ProcessBuilder("/bin/sh", "-c", "exit 4").start();
        System.out.println("unwaited pid=" + unwaited.pid());

        fail(new ProcessBuilder("/no/such/vfa-missing"));
        Path notExec = work.resolve("not-executable");
        Files.writeString(notExec, "#!/bin/sh\n");
        fail(new ProcessBuilder(notExec.toString()));
        fail(new ProcessBuilder("pwd").directory(new File(work.toFile(), "no-such-dir")));
        fail(new ProcessBuilder("/bin/echo", "x".repeat(4 * 1024 * 1024)));

        for (int i = 0; i < 20; i++) {
            new ProcessBuilder("/bin/true").start().waitFor();
        }
        // Let the reaper see the unwaited child and a statistics period end.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (unwaited.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(1500);
        System.out.println("MAIN-DONE");
    }

    private static void fail(ProcessBuilder pb) {
        try {
            pb.start().waitFor();
            System.out.println("UNEXPECTED-START " + pb.command().get(0));
        } catch (Exception e) {
            System.out.println("failure message=" + e.getMessage());
        }
    }
}
