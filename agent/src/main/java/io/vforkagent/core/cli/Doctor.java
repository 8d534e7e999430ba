package io.vforkagent.core.cli;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import io.vforkagent.core.Agent;
import io.vforkagent.core.Platform;
import io.vforkagent.core.instrument.ProcessRewriter;
import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.ErrorMessages;
import io.vforkagent.core.launch.NativeLauncher;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.launch.VforkLauncher;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar vfork-agent.jar doctor [tmpdir=DIR]}: checks this host and JDK the way the
 * agent would use them, makes a test spawn through the vfork launcher, and says what to fix.
 * Exit code 0 only when everything the agent needs works.
 */
final class Doctor {
    private final List<String> lines = new ArrayList<>();
    private boolean ok = true;

    private Doctor() {
    }

    private void pass(String check, String detail) {
        lines.add(String.format("ok    %-22s %s", check, detail));
    }

    private void fail(String check, String detail, String fix) {
        ok = false;
        lines.add(String.format("FAIL  %-22s %s%n      fix: %s", check, detail, fix));
    }

    private void info(String check, String detail) {
        lines.add(String.format("info  %-22s %s", check, detail));
    }

    static int run(String[] args) {
        String tmp = System.getProperty("java.io.tmpdir");
        long pid = -1;
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("tmpdir=")) {
                tmp = args[i].substring("tmpdir=".length());
            } else if (pid < 0 && !args[i].isEmpty() && args[i].length() < 12
                    && args[i].chars().allMatch(Character::isDigit)) {
                pid = Long.parseLong(args[i]);
            } else {
                System.err.println("vfork-agent doctor: unknown argument '" + args[i] + "' (known: tmpdir=DIR, a pid)");
                return 2;
            }
        }
        Doctor d = new Doctor();
        d.check(Path.of(tmp));
        System.out.println("vfork-agent " + Agent.VERSION + " doctor");
        d.lines.forEach(System.out::println);
        System.out.println(d.ok ? "verdict: vfork-agent can run here (launcher=vfork)"
                : "verdict: vfork-agent would fall back to the JDK launcher here; see the fixes above");
        if (pid < 0) {
            return d.ok ? 0 : 1;
        }
        Doctor p = new Doctor();
        String verdict = p.checkJvm(pid);
        System.out.println();
        p.lines.forEach(System.out::println);
        System.out.println(verdict);
        return d.ok && p.ok ? 0 : 1;
    }

    /**
     * What can be said of a running JVM without attaching to it: its JDK, whether that changed
     * on disk since it started, whether it runs the agent. Returns the verdict line.
     */
    private String checkJvm(long pid) {
        LocalJvms.Jvm j = LocalJvms.inspect(pid);
        lines.add("JVM " + pid + (j == null ? "" : " (" + LocalJvms.printable(j.main) + ", user "
                + LocalJvms.printable(j.user) + (j.startMillis > 0 ? ", started " + JdkOnDisk.time(j.startMillis) : "")
                + ")") + ", read without attaching");
        if (j == null) {
            fail("jvm", "no JVM with pid " + pid + " (or not readable as this user)",
                    "check the pid with: java -jar vfork-agent.jar list");
            return "verdict: JVM " + pid + " not found";
        }
        if (!j.unreadable.isEmpty()) {
            info("readable", LocalJvms.printable(j.unreadable));
        }
        info("java", (j.version.isEmpty() ? "version unknown" : LocalJvms.printable(j.version)) + " at "
                + (j.home.isEmpty() ? "?" : LocalJvms.printable(j.home)));
        info("vfork-agent", j.agent().equals("unknown") ? "unknown (its memory map is not readable as this user)"
                : j.agent().startsWith("yes") ? "loaded (" + j.agent() + "); its launcher (vfork or jdk) is known"
                + " only by attaching: list --attach" : j.agent());
        if (j.disk == null || !j.disk.unknown.isEmpty() && !j.disk.changed()) {
            info("jdk on disk", "unknown" + (j.disk == null ? "" : " (" + j.disk.unknown + ")"));
            return "verdict: JVM " + pid + ": cannot tell whether its JDK changed on disk";
        }
        if (!j.disk.changed()) {
            pass("jdk on disk", "unchanged since it started" + (j.disk.diskVersion.isEmpty() ? ""
                    : " (release " + LocalJvms.printable(j.disk.diskVersion) + ")"));
            return "verdict: JVM " + pid + " runs on the JDK on disk";
        }
        String changes = LocalJvms.printable(String.join("; ", j.disk.changes));
        String fix = JvmList.fix(j);
        if (fix == null) {
            info("jdk on disk", "changed since it started: " + changes);
            info("jdk launcher", JvmList.consequence(j));
            return "verdict: JVM " + pid + "'s JDK changed on disk, its spawns work; restart it on the new JDK when"
                    + " convenient";
        }
        if (j.mapsReadable && j.agentLoaded) {
            info("jdk on disk", "changed since it started: " + changes);
            info("jdk launcher", JvmList.consequence(j));
            return "verdict: JVM " + pid + " runs vfork-agent; to be sure it spawns through it: " + fix;
        }
        fail("jdk on disk", "changed since it started: " + changes, fix + " (no restart)");
        info("jdk launcher", JvmList.consequence(j));
        return "verdict: JVM " + pid + " cannot spawn through the JDK launcher; fix, no restart: " + fix;
    }

    /** The JDK this doctor runs on, as {@link #checkJvm} judges another JVM's. */
    private void checkOwnJdk() {
        String home = System.getProperty("java.home");
        long start = ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(-1L);
        List<String> maps;
        try {
            maps = Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            maps = null;
        }
        JdkOnDisk disk = JdkOnDisk.check(Path.of("/"), home, System.getProperty("java.vm.version", ""),
                System.getProperty("java.version", ""), start, maps);
        if (disk.changed()) {
            fail("jdk on disk", "changed since this doctor started: " + String.join("; ", disk.changes),
                    "an upgrade of this JDK is under way: run doctor again once it is done");
        } else if (!disk.unknown.isEmpty()) {
            info("jdk on disk", "unknown (" + disk.unknown + ")");
        } else {
            pass("jdk on disk", "as this JVM started" + (disk.diskVersion.isEmpty() ? ""
                    : " (release " + disk.diskVersion + ")") + "; lib/jspawnhelper present");
        }
    }

    private void check(Path tmp) {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (Platform.supportedOs(os) && Platform.supportedArch(arch)) {
            pass("platform", os + " " + arch + ": library " + NativeLauncher.PLATFORM + " (glibc)");
        } else {
            fail("platform", os + " " + arch, "vfork-agent runs on Linux x86-64 and aarch64 only");
        }
        int feature = Runtime.version().feature();
        if (feature >= Platform.JAVA) {
            pass("java", Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ") at "
                    + System.getProperty("java.home"));
        } else {
            fail("java", Runtime.version().toString(), "use Java " + Platform.JAVA + " or newer");
        }
        checkOwnJdk();
        info("kernel", read("/proc/sys/kernel/osrelease"));
        checkShape();
        info("error messages", "JDK " + ErrorMessages.style() + " format (" + (ErrorMessages.style()
                == ErrorMessages.Style.NEW ? "Exec failed, error: 2 (...)" : "error=2, ...") + ")");
        try {
            NativeLauncher.load(tmp);
            pass("native library", "libvforkagent.so loaded from a private directory in " + tmp);
        } catch (Throwable t) {
            fail("native library", t.getMessage(), "set tmpdir= (or -Dvforkagent.tmpdir=) to a writable directory "
                    + "on a filesystem mounted without noexec");
            return;
        }
        try {
            Function version = NativeLibrary.getInstance("c").getFunction("gnu_get_libc_version");
            pass("libc", "glibc " + version.invokeString(new Object[0], false));
        } catch (Throwable t) {
            fail("libc", "not glibc (" + t.getMessage() + ")", "the bundled library is built for glibc");
        }
        if (NativeLauncher.hasCloseRange()) {
            pass("close_range", "available: a child's descriptors are closed in one call");
        } else {
            info("close_range", "not available (kernel < 5.9 or a seccomp filter): the child walks /proc/self/fd,"
                    + " slower when thousands of descriptors are open");
        }
        info("clone3", clone3() ? "available (not needed: the launcher uses clone with CLONE_VM|CLONE_VFORK)"
                : "not available (not needed: the launcher uses clone with CLONE_VM|CLONE_VFORK)");
        testSpawn();
    }

    /** clone3(NULL, 0) fails with EINVAL where the call exists and ENOSYS where it does not. */
    private static boolean clone3() {
        try {
            Function syscall = NativeLibrary.getInstance("c").getFunction("syscall");
            long r = syscall.invokeLong(new Object[] {435L, null, 0L});
            return r != -1 || com.sun.jna.Native.getLastError() != 38;
        } catch (Throwable t) {
            return false;
        }
    }

    private void checkShape() {
        try (InputStream impl = Object.class.getResourceAsStream("/java/lang/ProcessImpl.class");
             InputStream reaper = Object.class.getResourceAsStream("/java/lang/ProcessHandleImpl$1.class")) {
            int calls = ProcessRewriter.countSpawnCalls(impl.readAllBytes());
            if (calls == 1) {
                pass("ProcessImpl", "one forkAndExec call in its constructor, as expected");
            } else {
                fail("ProcessImpl", calls + " forkAndExec calls in its constructor (expected 1)",
                        "this JDK is not supported; report its version");
            }
            if (reaper != null && ProcessRewriter.countExitCalls(reaper.readAllBytes()) == 1) {
                pass("reaper", "ProcessHandleImpl$1 waits with waitForProcessExit0, as expected");
            } else {
                info("reaper", "not of the expected shape: spawns work, exits are not recorded");
            }
        } catch (Exception e) {
            fail("ProcessImpl", "cannot read java.base classes: " + e, "run doctor with the JDK the application uses");
        }
    }

    private void testSpawn() {
        int[] fds = {-1, -1, -1};
        SpawnOutcome o = VforkLauncher.INSTANCE.launch(request("/bin/true", fds), false);
        if (!o.started()) {
            fail("test spawn", "/bin/true failed: " + o.errnoName() + " at " + o.step(),
                    "check that /bin/true exists and that the process limit (ulimit -u) is not reached");
            return;
        }
        for (int fd : fds) {
            closeFd(fd);
        }
        ChildExit exit = VforkLauncher.INSTANCE.waitForExit(o.pid(), true);
        // The launcher's own figures: from its first step to its last, without JNA's call.
        long micros = (o.setupNanos() + o.cloneToExecNanos() + o.afterNanos()) / 1000;
        if (exit != null && exit.value() == 0) {
            pass("test spawn", "/bin/true through clone(CLONE_VM|CLONE_VFORK): pid " + o.pid() + ", exit 0, launch "
                    + micros + " us");
        } else {
            fail("test spawn", "/bin/true exited with " + (exit == null ? -1 : exit.value()),
                    "run the C tests: make -C native test");
        }
        SpawnOutcome missing = VforkLauncher.INSTANCE.launch(request("/nonexistent/vfork-agent-doctor",
                new int[] {0, 1, 2}), false);
        if (!missing.started() && missing.errno() == 2) {
            pass("failure report", "a missing program reports ENOENT, as the JDK does");
        } else {
            fail("failure report", "a missing program did not report ENOENT", "run the C tests: make -C native test");
        }
    }

    /** A spawn of {@code program} with no arguments, the JVM's environment and directory. */
    private static SpawnRequest request(String program, int[] fds) {
        return new SpawnRequest(null, 0, null, (program + "\0").getBytes(StandardCharsets.UTF_8), new byte[0], 0, null,
                0, null, fds, false);
    }

    private static void closeFd(int fd) {
        if (fd >= 0) {
            try {
                NativeLibrary.getInstance("c").getFunction("close").invokeInt(new Object[] {fd});
            } catch (Throwable ignored) {
                // best effort: the doctor exits right after
            }
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
