package io.vforkagent.it;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Everything an application can observe of its child processes, one scenario at a time. Run in a
 * JVM without the agent and in one with it; {@link ParityIT} compares the two result files.
 *
 * <p>Usage: {@code Scenarios <result.properties> <work dir>}. Each observation is stored as
 * {@code scenario.key=value}; values must not depend on the run (no pids, no times).
 */
public final class Scenarios {
    private final Properties results = new Properties();
    private final Path work;
    private String current;

    private Scenarios(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path work = Path.of(args[1]);
        Files.createDirectories(work);
        Scenarios s = new Scenarios(work);
        s.runAll();
        try (OutputStream os = Files.newOutputStream(out)) {
            s.results.store(os, "vfork-agent parity scenarios");
        }
    }

    private void put(String key, Object value) {
        results.setProperty(current + "." + key, String.valueOf(value));
    }

    private interface Body {
        void run() throws Exception;
    }

    private void scenario(String name, Body body) {
        current = name;
        try {
            body.run();
        } catch (Throwable t) {
            put("thrown", t.getClass().getName() + ": " + t.getMessage());
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Starts, collects stdout, stderr and the exit code. */
    private void observe(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        p.getOutputStream().close();
        put("stdout", read(p.getInputStream()));
        put("stderr", read(p.getErrorStream()));
        put("exit", p.waitFor());
    }

    private void failure(ProcessBuilder pb) {
        try {
            Process p = pb.start();
            put("started", true);
            p.waitFor();
        } catch (Exception e) {
            put("exception", e.getClass().getName());
            put("message", e.getMessage());
            Throwable c = e.getCause();
            put("cause", c == null ? "none" : c.getClass().getName() + ": " + c.getMessage());
        }
    }

    private Path executable(String name, String text) throws IOException {
        Path f = work.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    private void runAll() throws Exception {
        scenario("output", () -> observe(new ProcessBuilder("/bin/sh", "-c", "echo hello; echo oops >&2; exit 3")));
        scenario("exitCodes", () -> {
            for (int code : new int[] {0, 1, 42, 255}) {
                put("exit" + code, new ProcessBuilder("/bin/sh", "-c", "exit " + code).start().waitFor());
            }
        });
        scenario("killedBySignal", () -> put("exit",
                new ProcessBuilder("/bin/sh", "-c", "kill -KILL $$").start().waitFor()));
        scenario("stdin", () -> {
            Process p = new ProcessBuilder("cat").start();
            try (OutputStream os = p.getOutputStream()) {
                os.write("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
            }
            put("stdout", read(p.getInputStream()));
            put("exit", p.waitFor());
        });
        scenario("largeOutput", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo line$i; i=$((i+1)); done").start();
            String out = read(p.getInputStream());
            put("lines", out.lines().count());
            put("hash", out.hashCode());
            put("exit", p.waitFor());
        });
        scenario("inherit", () -> {
            Process p = new ProcessBuilder("/bin/echo", "inherited-stdout").inheritIO().start();
            put("exit", p.waitFor());
            put("inputStreamClass", p.getInputStream().getClass().getSimpleName());
        });
        scenario("discard", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "echo gone; echo gone2 >&2")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            put("stdoutRead", p.getInputStream().read());
            put("stderrRead", p.getErrorStream().read());
            put("exit", p.waitFor());
        });
        scenario("toFile", () -> {
            File f = work.resolve("to-file.txt").toFile();
            Files.writeString(f.toPath(), "old content\n");
            put("exit", new ProcessBuilder("/bin/echo", "written").redirectOutput(f).start().waitFor());
            put("file", Files.readString(f.toPath()));
        });
        scenario("appendToFile", () -> {
            File f = work.resolve("append.txt").toFile();
            Files.writeString(f.toPath(), "first\n");
            put("exit", new ProcessBuilder("/bin/echo", "second")
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(f)).start().waitFor());
            put("file", Files.readString(f.toPath()));
        });
        scenario("errorToFile", () -> {
            File f = work.resolve("err.txt").toFile();
            put("exit", new ProcessBuilder("/bin/sh", "-c", "echo to-err >&2").redirectError(f).start().waitFor());
            put("file", Files.readString(f.toPath()));
        });
        scenario("fromFile", () -> {
            File f = work.resolve("in.txt").toFile();
            Files.writeString(f.toPath(), "from a file\n");
            observe(new ProcessBuilder("cat").redirectInput(f));
        });
        scenario("redirectErrorStream", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "echo out; echo err >&2; echo out2")
                    .redirectErrorStream(true).start();
            put("stdout", read(p.getInputStream()));
            put("stderrRead", p.getErrorStream().read());
            put("exit", p.waitFor());
        });
        scenario("pipeline", () -> {
            List<Process> ps = ProcessBuilder.startPipeline(List.of(
                    new ProcessBuilder("printf", "b\\na\\nc\\nd\\n"),
                    new ProcessBuilder("sort"),
                    new ProcessBuilder("head", "-n", "3")));
            Process last = ps.get(ps.size() - 1);
            put("stdout", read(last.getInputStream()));
            List<Integer> exits = new ArrayList<>();
            for (Process p : ps) {
                exits.add(p.waitFor());
            }
            put("exits", exits);
        });
        scenario("envInherited", () -> observe(new ProcessBuilder("/bin/sh", "-c", "echo \"$VFA_PARITY\"")));
        scenario("envModified", () -> {
            ProcessBuilder pb = new ProcessBuilder("env");
            pb.environment().put("VFA_ADDED", "added value");
            pb.environment().remove("VFA_PARITY");
            Process p = pb.start();
            put("env", read(p.getInputStream()).lines().sorted().collect(Collectors.joining("\n")));
            put("exit", p.waitFor());
        });
        scenario("envCleared", () -> {
            ProcessBuilder pb = new ProcessBuilder("env");
            pb.environment().clear();
            pb.environment().put("ONLY", "1");
            pb.environment().put("PATH", "/nonexistent-dir");
            observe(pb);
        });
        scenario("envEmpty", () -> {
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/env");
            pb.environment().clear();
            observe(pb);
        });
        scenario("envNonAscii", () -> {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "printf %s \"$UNI\" | od -An -tx1");
            pb.environment().put("UNI", "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c");
            observe(pb);
        });
        scenario("childPathIgnored", () -> {
            // A bare name is searched in the PATH the JVM had, not in the child's PATH.
            Path bin = Files.createDirectories(work.resolve("child-path-bin"));
            Files.writeString(bin.resolve("true"), "#!/bin/sh\necho decoy\n");
            Files.setPosixFilePermissions(bin.resolve("true"), PosixFilePermissions.fromString("rwxr-xr-x"));
            ProcessBuilder pb = new ProcessBuilder("true");
            pb.environment().put("PATH", bin.toString());
            observe(pb);
        });
        scenario("directory", () -> observe(new ProcessBuilder("pwd").directory(work.toFile())));
        scenario("directoryMissing", () -> failure(new ProcessBuilder("pwd").directory(work.resolve("no-such-dir").toFile())));
        scenario("directoryIsFile", () -> {
            Path f = work.resolve("plain-file");
            Files.writeString(f, "x");
            failure(new ProcessBuilder("pwd").directory(f.toFile()));
        });
        scenario("absolutePath", () -> observe(new ProcessBuilder("/bin/echo", "absolute")));
        scenario("relativePath", () -> {
            Files.createDirectories(work.resolve("bin"));
            executable("bin/hello", "#!/bin/sh\necho hello from $0\n");
            observe(new ProcessBuilder("bin/hello").directory(work.toFile()));
        });
        scenario("relativePathDotSlash", () -> {
            executable("dot-hello", "#!/bin/sh\necho dot hello\n");
            observe(new ProcessBuilder("./dot-hello").directory(work.toFile()));
        });
        scenario("bareName", () -> observe(new ProcessBuilder("echo", "bare", "name")));
        scenario("scriptWithoutShebang", () -> {
            Path s = executable("no-shebang", "echo no shebang \"$@\"\n");
            observe(new ProcessBuilder(s.toString(), "a1", "a 2"));
        });
        scenario("notExecutable", () -> {
            Path f = work.resolve("not-exec");
            Files.writeString(f, "#!/bin/sh\necho nope\n");
            failure(new ProcessBuilder(f.toString()));
        });
        scenario("isDirectory", () -> failure(new ProcessBuilder(work.toString())));
        scenario("missingAbsolute", () -> failure(new ProcessBuilder("/no/such/program-vfa")));
        scenario("missingBare", () -> failure(new ProcessBuilder("no-such-program-vfa")));
        scenario("missingInDirectory", () -> failure(new ProcessBuilder("no-such-program-vfa").directory(work.toFile())));
        scenario("emptyProgram", () -> failure(new ProcessBuilder("")));
        scenario("arguments", () -> observe(new ProcessBuilder("/bin/sh", "-c", "for a in \"$@\"; do echo \"[$a]\"; done",
                "sh", "", " spaced ", "quote\"d", "new\nline", "\u00fcnic\u00f6de", "*")));
        scenario("argv0", () -> observe(new ProcessBuilder("sh", "-c", "echo $0")));
        scenario("childDescriptors", () -> {
            // Descriptors the JVM holds open must not reach the child.
            List<InputStream> held = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                held.add(Files.newInputStream(work.resolve("in.txt")));
            }
            Process p = new ProcessBuilder("ls", "/proc/self/fd").start();
            put("fds", read(p.getInputStream()).lines().collect(Collectors.toCollection(TreeSet::new)));
            put("exit", p.waitFor());
            for (InputStream in : held) {
                in.close();
            }
        });
        scenario("signalState", () -> {
            Process p = new ProcessBuilder("cat", "/proc/self/status").start();
            Map<String, String> sig = new LinkedHashMap<>();
            for (String line : read(p.getInputStream()).split("\n")) {
                if (line.startsWith("SigBlk") || line.startsWith("SigIgn") || line.startsWith("SigCgt")) {
                    String[] kv = line.split(":\\s*");
                    sig.put(kv[0], kv[1]);
                }
            }
            p.waitFor();
            // Kept apart from the compared keys: JDK 17 itself leaves SIGQUIT blocked (a bug).
            results.setProperty("signals.SigBlk", sig.get("SigBlk"));
            results.setProperty("signals.SigIgn", sig.get("SigIgn"));
            results.setProperty("signals.SigCgt", sig.get("SigCgt"));
            put("done", true);
        });
        scenario("pid", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "echo $$; read x").start();
            String echoed = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
            put("pidMatches", Long.parseLong(echoed.trim()) == p.pid());
            put("parentIsUs", p.toHandle().parent().map(h -> h.pid() == ProcessHandle.current().pid()).orElse(false));
            put("inChildren", ProcessHandle.current().children().anyMatch(h -> h.pid() == p.pid()));
            put("alive", p.isAlive());
            put("handleAlive", p.toHandle().isAlive());
            p.getOutputStream().close();
            put("exit", p.waitFor());
            put("aliveAfter", p.isAlive());
        });
        scenario("onExit", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "exit 7").start();
            Process done = p.onExit().get(10, TimeUnit.SECONDS);
            put("same", done == p);
            put("exit", done.exitValue());
            put("handleExit", p.toHandle().onExit().get(10, TimeUnit.SECONDS).isAlive());
        });
        scenario("waitForTimeout", () -> {
            Process p = new ProcessBuilder("sleep", "30").start();
            put("waitedShort", p.waitFor(100, TimeUnit.MILLISECONDS));
            p.destroy();
            put("waitedLong", p.waitFor(10, TimeUnit.SECONDS));
            put("exit", p.exitValue());
        });
        scenario("destroyForcibly", () -> {
            Process p = new ProcessBuilder("sleep", "30").start();
            p.destroyForcibly();
            put("exit", p.waitFor());
        });
        scenario("destroyTermHandled", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "trap 'echo got-term; exit 5' TERM; echo ready; while :; do sleep 0.05; done").start();
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            put("ready", r.readLine());
            p.destroy();
            put("exit", p.waitFor());
        });
        scenario("childrenOfChild", () -> {
            Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 30 & echo $!; wait").start();
            String grandchild = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine().trim();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean seen = false;
            while (!seen && System.nanoTime() < deadline) {
                seen = p.children().anyMatch(h -> String.valueOf(h.pid()).equals(grandchild));
                if (!seen) {
                    Thread.sleep(20);
                }
            }
            put("grandchildSeen", seen);
            // The shell first, then what it left: killing the grandchild first raced the shell's
            // own exit ('wait' returns 0) against its SIGKILL (137), with or without the agent.
            List<ProcessHandle> left = p.descendants().collect(Collectors.toList());
            p.destroyForcibly();
            put("exit", p.waitFor());
            left.forEach(ProcessHandle::destroyForcibly);
        });
        scenario("nonChildOnExit", () -> {
            // A grandchild is no child of this JVM: the JDK watches it without reaping.
            Process p = new ProcessBuilder("/bin/sh", "-c", "sleep 0.3 & echo $!; wait").start();
            long grandchild = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))
                    .readLine().trim());
            ProcessHandle h = ProcessHandle.of(grandchild).orElseThrow();
            ProcessHandle done = h.onExit().get(10, TimeUnit.SECONDS);
            put("completed", done.pid() == grandchild);
            put("aliveAfter", h.isAlive());
            put("exit", p.waitFor());
        });
        scenario("manyExitsAtOnce", () -> {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ps.add(new ProcessBuilder("/bin/sh", "-c", "sleep 0.2; exit " + (i * 7 % 256)).start());
            }
            List<Integer> codes = new ArrayList<>();
            for (Process p : ps) {
                codes.add(p.waitFor());
            }
            put("codes", codes);
            put("onExitDone", ps.stream().allMatch(p -> p.onExit().isDone()));
        });
        scenario("threads16", () -> {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    boolean ok = true;
                    for (int i = 0; i < 25; i++) {
                        String token = "token-" + thread + "-" + i;
                        Process p = new ProcessBuilder("/bin/echo", token).start();
                        String out = read(p.getInputStream()).trim();
                        ok &= out.equals(token) && p.waitFor() == 0;
                    }
                    return ok;
                }));
            }
            int good = 0;
            for (Future<Boolean> f : futures) {
                good += f.get(120, TimeUnit.SECONDS) ? 1 : 0;
            }
            pool.shutdown();
            put("threadsAllGood", good);
        });
        scenario("runtimeExec", () -> {
            Runtime rt = Runtime.getRuntime();
            put("string", read(rt.exec("echo one two").getInputStream()));
            put("array", read(rt.exec(new String[] {"echo", "three", "four"}).getInputStream()));
            put("stringEnv", read(rt.exec("/usr/bin/env", new String[] {"A=1", "B=2"}).getInputStream()));
            put("arrayEnvDir", read(rt.exec(new String[] {"pwd"}, null, work.toFile()).getInputStream()));
            put("stringEnvDir", read(rt.exec("/bin/sh -c pwd", new String[] {"X=y"}, work.toFile()).getInputStream()));
        });
        scenario("manyArguments", () -> {
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "echo $#", "sh"));
            for (int i = 0; i < 5000; i++) {
                cmd.add("arg" + i);
            }
            observe(new ProcessBuilder(cmd));
        });
        scenario("argumentTooLong", () -> failure(new ProcessBuilder("/bin/echo", "x".repeat(4 * 1024 * 1024))));
        scenario("shFallbackNearArgMax", this::shFallbackNearArgMax);
        scenario("signals32and33", () -> {
            // glibc's posix_spawn, the JDK's default launcher, leaves its signals 32 and 33 ignored.
            for (int sig : new int[] {32, 33}) {
                Process p = new ProcessBuilder("sleep", "30").start();
                put("kill" + sig, new ProcessBuilder("/bin/sh", "-c", "kill -" + sig + " " + p.pid()).start().waitFor());
                put("alive" + sig, !p.waitFor(300, TimeUnit.MILLISECONDS));
                p.destroyForcibly();
                put("exit" + sig, p.waitFor());
            }
        });
        scenario("descriptorsExhausted", this::descriptorsExhausted);
        generated(150, 20261128L);
        agentFigures();
    }

    /**
     * A script without #! just past the argument limit: the script itself passes the kernel's size
     * check (ENOEXEC) but "/bin/sh script args" (20 bytes more here) does not, and the JDK reports
     * /bin/sh's E2BIG. The limit depends on the environment and the stack limit, so it is found by
     * bisection in each run; only the failure just past it is compared.
     */
    private void shFallbackNearArgMax() throws Exception {
        executable("nosh-limit", ":\n");
        long lo = 0;
        long hi = 16 << 20;
        while (hi - lo > 1) {
            long mid = (lo + hi) / 2;
            boolean ran;
            try {
                ran = withArgs(mid).start().waitFor() == 0;
            } catch (IOException e) {
                ran = false;
            }
            if (ran) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        put("limitFound", lo > 100_000);
        failure(withArgs(hi));
    }

    /** ./nosh-limit in the work directory with arguments of that many bytes in all, NULs included. */
    private ProcessBuilder withArgs(long bytes) {
        List<String> cmd = new ArrayList<>(List.of("./nosh-limit"));
        String chunk = "x".repeat(100_000);
        while (bytes > 100_001) {
            cmd.add(chunk);
            bytes -= 100_001;
        }
        cmd.add("y".repeat((int) Math.max(0, bytes - 1)));
        return new ProcessBuilder(cmd).directory(work.toFile());
    }

    private static int openFds() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    /**
     * EMFILE while making the pipes: the same exception, and no descriptor lost. Only the first
     * line of the message is compared: JDK 22+ appends hints about its spawn helper to its own
     * (POSIX_SPAWN) message, which the vfork launcher, having no helper, leaves out.
     */
    private void descriptorsExhausted() throws Exception {
        // Let earlier scenarios' process streams be closed first: a descriptor closed by a cleaner
        // while this one holds every free number would be someone else's race, not the launcher's.
        System.gc();
        Thread.sleep(300);
        List<InputStream> held = new ArrayList<>();
        int before = openFds();
        try {
            try {
                while (held.size() < 100_000) {
                    held.add(Files.newInputStream(Path.of("/dev/null")));
                }
            } catch (IOException full) {
                // the limit is reached
            }
            held.remove(held.size() - 1).close(); // one free slot: too few for a pipe's two ends
            try {
                new ProcessBuilder("/bin/true").start().waitFor();
                put("started", true);
            } catch (IOException e) {
                put("exception", e.getClass().getName());
                put("message", e.getMessage().lines().findFirst().orElse(""));
            }
        } finally {
            for (InputStream in : held) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // cleanup only
                }
            }
        }
        // Not an exact count: an unrelated descriptor may close meanwhile (a stream freed by GC).
        put("noneLeaked", openFds() - before <= 0);
        put("afterwards", new ProcessBuilder("/bin/true").start().waitFor());
    }

    /**
     * Generated inputs, the same in every run (fixed seed): arguments and environments with empty
     * and long strings, '=' in odd places, quotes, newlines, non-ASCII and unpaired surrogates;
     * many arguments; existing, missing and non-directory working directories.
     */
    private void generated(int cases, long seed) throws Exception {
        java.util.Random r = new java.util.Random(seed);
        String[] atoms = {"", "=", "==", "a=b", "=x", "k=", " ", "  spaced  ", "\"", "'", "\\", "\n", "\t", "$HOME",
            "*", "-", "--", "\u00e9t\u00e9", "\u65e5\u672c", "\ud83d\ude00", "\ud800", "x".repeat(3000), "%s", "\u0001"};
        Path file = work.resolve("not-a-dir");
        Files.writeString(file, "x");
        for (int c = 0; c < cases; c++) {
            current = "generated" + c;
            List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                    "for a; do printf '[%s]' \"$a\"; done; echo; env | LC_ALL=C sort | grep '^G_'", "sh"));
            int argc = r.nextInt(10) == 0 ? 1000 + r.nextInt(2000) : r.nextInt(8);
            for (int i = 0; i < argc; i++) {
                cmd.add(atoms[r.nextInt(atoms.length)] + (r.nextBoolean() ? atoms[r.nextInt(atoms.length)] : ""));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            if (r.nextInt(3) == 0) {
                pb.environment().clear();
            }
            for (int i = r.nextInt(6); i > 0; i--) {
                String key = "G_" + i + (r.nextInt(5) == 0 ? atoms[r.nextInt(atoms.length)] : "");
                try {
                    pb.environment().put(key, atoms[r.nextInt(atoms.length)] + atoms[r.nextInt(atoms.length)]);
                } catch (IllegalArgumentException rejected) {
                    put("envRejected" + i, rejected.getMessage());
                }
            }
            int d = r.nextInt(6);
            if (d == 0) {
                pb.directory(work.toFile());
            } else if (d == 1) {
                pb.directory(work.resolve("missing-" + c).toFile());
            } else if (d == 2) {
                pb.directory(file.toFile());
            }
            try {
                observe(pb);
            } catch (IOException | IllegalArgumentException e) {
                put("exception", e.getClass().getName() + ": " + e.getMessage());
            }
        }
    }

    /** What the agent says it did; absent without the agent. Kept apart from the compared keys. */
    private void agentFigures() throws Exception {
        javax.management.ObjectName name = new javax.management.ObjectName("io.vforkagent:type=Agent");
        javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        boolean agent = System.getProperty("vfa.expectAgent") != null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(agent ? 20 : 0);
        while (!server.isRegistered(name) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (!server.isRegistered(name)) {
            results.setProperty("agent.registered", "false");
            return;
        }
        results.setProperty("agent.registered", "true");
        for (String a : new String[] {"Launcher", "VforkSpawns", "JdkSpawns", "Failures", "FallbackReason"}) {
            results.setProperty("agent." + a, String.valueOf(server.getAttribute(name, a)));
        }
        java.util.Map<String, Object> byErrno = new java.util.TreeMap<>();
        for (Object row : ((javax.management.openmbean.TabularData) server.getAttribute(name, "FailuresByErrno")).values()) {
            javax.management.openmbean.CompositeData c = (javax.management.openmbean.CompositeData) row;
            byErrno.put((String) c.get("key"), c.get("value"));
        }
        results.setProperty("agent.FailuresByErrno", byErrno.toString());
    }
}
