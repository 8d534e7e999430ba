package io.vforkagent.core.cli;

import io.vforkagent.core.AgentStatus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVMs on this host, found and described without attaching to any: from their performance
 * data files (as {@code jps}), {@code /proc/<pid>/maps} (which JDK they run, whether the agent's
 * library is loaded, which of their files were replaced) and {@code /proc/<pid>/cmdline}. What
 * cannot be read (another user's JVM, for a user other than root) is reported as unknown.
 */
final class LocalJvms {
    /** How long reading one JVM's files may take: a file another user controls must not hang us. */
    static final long READ_TIMEOUT_MS = 3000;
    private static final Pattern AGENT_JAR = Pattern.compile("-javaagent:[^ ]*vfork-agent[^ /]*\\.jar");
    private static final Pattern MECHANISM = Pattern.compile("-Djdk\\.lang\\.Process\\.launchMechanism=(\\S*)");

    /** What is known of one JVM. */
    static final class Jvm {
        final long pid;
        String user = "?";
        int uid = -1;
        String main = "?";
        String version = "";
        String javaVersion = "";
        String home = "";
        long startMillis = -1;
        /** The JVM's options as it was given them (perfdata), else its command line. */
        String args = "";
        /** /proc/PID/maps could be read: whether the agent is loaded is then known. */
        boolean mapsReadable;
        boolean agentLoaded;
        boolean javaagentGiven;
        /** The JDK launcher's mechanism the JVM was given (-Djdk.lang.Process.launchMechanism), "" for the default. */
        String mechanism = "";
        JdkOnDisk disk;
        /** Why this JVM could not be read in full; "" when it could. */
        String unreadable = "";
        /** Its reader took too long and was left behind: what it still finds is not used. */
        boolean abandoned;
        /** The agent's status read by attaching (list --attach); null when not asked. */
        String status;
        List<String> maps;

        Jvm(long pid) {
            this.pid = pid;
        }

        /** "yes", "no" or "unknown": whether the agent runs in it, as far as known without attaching. */
        String agent() {
            if (!mapsReadable) {
                return javaagentGiven ? "given (-javaagent)" : "unknown";
            }
            return agentLoaded ? (javaagentGiven ? "yes (-javaagent)" : "yes") : "no";
        }

        /** "same", "CHANGED" or "unknown". */
        String jdkOnDisk() {
            if (disk == null) {
                return "unknown";
            }
            return disk.changed() ? "CHANGED" : disk.unknown.isEmpty() ? "same" : "unknown";
        }

        /** Whether its JDK launcher runs jspawnhelper: the default mechanism (POSIX_SPAWN) does. */
        boolean usesHelper() {
            return mechanism.isEmpty() || mechanism.equalsIgnoreCase("POSIX_SPAWN");
        }

        /** The agent runs in it with launcher=vfork, as read by attaching (list --attach). */
        boolean healed() {
            return "vfork".equals(AgentStatus.launcher(status));
        }

        /** Its spawns through the JDK launcher fail (or will) because the helper changed under it. */
        boolean jdkLauncherBroken() {
            return disk != null && disk.helperChanged && usesHelper();
        }
    }

    private LocalJvms() {
    }

    /** Every JVM visible from here but this one, by pid. */
    static List<Jvm> scan() {
        long self = ProcessHandle.current().pid();
        Map<Long, Path> perf = perfDataFiles(Path.of("/tmp"));
        String ownNs = link(Path.of("/proc/self/ns/mnt"));
        List<Jvm> found = new ArrayList<>();
        for (long pid : pids()) {
            if (pid == self) {
                continue;
            }
            Jvm jvm = inspectIfJvm(pid, perf, ownNs);
            if (jvm != null) {
                found.add(jvm);
            }
        }
        return found;
    }

    /** The JVM of that pid, or null when it is not one (or not running). */
    static Jvm inspect(long pid) {
        return inspectIfJvm(pid, perfDataFiles(Path.of("/tmp")), link(Path.of("/proc/self/ns/mnt")));
    }

    private static Jvm inspectIfJvm(long pid, Map<Long, Path> perf, String ownNs) {
        Path proc = Path.of("/proc", Long.toString(pid));
        List<String> maps = lines(proc.resolve("maps"));
        String ns = link(proc.resolve("ns/mnt"));
        boolean sameNs = ns.isEmpty() || ns.equals(ownNs);
        Path perfFile = sameNs ? perf.get(pid) : null;
        boolean jvm = maps != null ? maps.stream().anyMatch(l -> l.endsWith("/libjvm.so") || l.endsWith("/libjvm.so (deleted)"))
                : perfFile != null;
        if (!jvm) {
            return null;
        }
        Jvm j = new Jvm(pid);
        j.maps = maps;
        j.mapsReadable = maps != null;
        // Reading files the target's user controls: bounded in time, in a thread that may be abandoned.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                read(j, proc, sameNs, perfFile);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "vfork-agent-read-" + pid);
        reader.setDaemon(true);
        reader.start();
        try {
            reader.join(READ_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reader.isAlive()) {
            synchronized (j) {
                j.abandoned = true;
                j.unreadable = "reading its files took over " + READ_TIMEOUT_MS / 1000 + " s";
                j.disk = null;
            }
        } else if (failure.get() != null) {
            j.unreadable = String.valueOf(failure.get());
        }
        return j;
    }

    private static void read(Jvm j, Path proc, boolean sameNs, Path perfFile) throws IOException {
        // The effective uid from status: /proc/PID itself is root's when the process is not dumpable.
        j.uid = effectiveUid(proc);
        j.user = userName(j.uid);
        Path root = sameNs ? Path.of("/") : proc.resolve("root");
        if (perfFile == null && !sameNs) {
            perfFile = perfDataFiles(root.resolve("tmp")).get(nsPid(proc));
        }
        Map<String, Object> perf = Map.of();
        if (perfFile != null) {
            try {
                perf = PerfData.read(perfFile);
            } catch (IOException e) {
                j.unreadable = "performance data not readable (" + e.getClass().getSimpleName() + ")";
            }
        }
        j.version = string(perf, "java.property.java.vm.version");
        j.javaVersion = string(perf, "java.property.java.version");
        j.home = string(perf, "java.property.java.home");
        String command = string(perf, "sun.rt.javaCommand");
        j.args = string(perf, "java.rt.vmArgs");
        Object begin = perf.get("sun.rt.createVmBeginTime");
        j.startMillis = begin instanceof Long ? (Long) begin : startFromProc(proc);
        List<String> cmdline = cmdline(proc);
        if (j.args.isEmpty() && cmdline != null) {
            j.args = String.join(" ", cmdline);
        }
        if (!command.isEmpty()) {
            j.main = command.split(" ", 2)[0];
        } else if (cmdline != null) {
            j.main = mainOf(cmdline);
        }
        if (j.maps != null) {
            for (String l : j.maps) {
                int slash = l.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = l.endsWith(" (deleted)") ? l.substring(slash, l.length() - 10) : l.substring(slash);
                // The library, loaded from its memfd (or, where memfds cannot be mapped, a file).
                if (path.equals("/memfd:" + io.vforkagent.core.launch.NativeInstaller.MEMFD_NAME)
                        || path.endsWith("/libvforkagent.so")) {
                    j.agentLoaded = true;
                } else if (path.endsWith("/libjvm.so")) {
                    // The kernel's word on where the JVM runs from beats what its perfdata says.
                    int lib = path.lastIndexOf("/lib/");
                    if (lib > 0) {
                        j.home = path.substring(0, lib);
                    }
                }
            }
        }
        j.javaagentGiven = AGENT_JAR.matcher(j.args).find();
        Matcher m = MECHANISM.matcher(j.args);
        while (m.find()) {
            j.mechanism = m.group(1); // the last one given wins, as for the JVM
        }
        JdkOnDisk disk = JdkOnDisk.check(root, j.home, j.version, j.javaVersion, j.startMillis, j.maps);
        synchronized (j) {
            if (!j.abandoned) {
                j.disk = disk;
            }
        }
    }

    /** pid -> perfdata file, from every readable /tmp/hsperfdata_USER directory. */
    static Map<Long, Path> perfDataFiles(Path tmp) {
        Map<Long, Path> m = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
            for (Path dir : dirs) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                    for (Path f : files) {
                        String name = f.getFileName().toString();
                        if (!name.isEmpty() && name.length() < 12 && name.chars().allMatch(Character::isDigit)) {
                            m.put(Long.parseLong(name), f);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // another user's directory we may not list: their JVMs are found through /proc
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /tmp to read: /proc alone
        }
        return m;
    }

    private static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.length() < 12 && n.chars().allMatch(Character::isDigit)) {
                    pids.add(Long.parseLong(n));
                }
            }
        } catch (IOException e) {
            // no /proc: nothing to list
        }
        pids.sort(null);
        return pids;
    }

    private static int effectiveUid(Path proc) {
        List<String> status = lines(proc.resolve("status"));
        if (status != null) {
            for (String l : status) {
                if (l.startsWith("Uid:")) {
                    String[] f = l.substring(4).trim().split("\\s+");
                    return f.length > 1 ? Integer.parseInt(f[1]) : -1;
                }
            }
        }
        return -1;
    }

    /** The name /etc/passwd gives the uid, else the number. */
    static String userName(int uid) {
        if (uid < 0) {
            return "?";
        }
        List<String> passwd = lines(Path.of("/etc/passwd"));
        if (passwd != null) {
            for (String l : passwd) {
                String[] f = l.split(":", 4);
                if (f.length > 2 && f[2].equals(String.valueOf(uid))) {
                    return f[0];
                }
            }
        }
        return String.valueOf(uid);
    }

    /** The pid in the process's own pid namespace (its perfdata file's name there). */
    private static long nsPid(Path proc) {
        List<String> status = lines(proc.resolve("status"));
        if (status != null) {
            for (String l : status) {
                if (l.startsWith("NSpid:")) {
                    String[] f = l.substring(6).trim().split("\\s+");
                    return Long.parseLong(f[f.length - 1]);
                }
            }
        }
        return Long.parseLong(proc.getFileName().toString());
    }

    /** Start time from /proc/PID/stat (clock ticks after boot) and the boot time; -1 if unknown. */
    private static long startFromProc(Path proc) {
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[19]);
            for (String l : Files.readAllLines(Path.of("/proc/stat"))) {
                if (l.startsWith("btime ")) {
                    return Long.parseLong(l.substring(6).trim()) * 1000 + ticks * 10; // USER_HZ is 100 on Linux
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /** The main class, jar or module of a java command line; "?" when none is recognised. */
    static String mainOf(List<String> cmdline) {
        List<String> withArg = Arrays.asList("-cp", "-classpath", "--class-path", "-p", "--module-path",
                "--add-modules", "--add-opens", "--add-exports", "--add-reads", "--limit-modules",
                "--upgrade-module-path", "--patch-module", "--enable-native-access");
        for (int i = 1; i < cmdline.size(); i++) {
            String a = cmdline.get(i);
            if (a.equals("-jar") || a.equals("-m") || a.equals("--module")) {
                return i + 1 < cmdline.size() ? cmdline.get(i + 1) : "?";
            }
            if (withArg.contains(a)) {
                i++;
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return "?";
    }

    private static List<String> cmdline(Path proc) {
        try {
            byte[] b = Files.readAllBytes(proc.resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    args.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            return args.isEmpty() ? null : args;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null; // gone, or another user's and we are not root
        }
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String string(Map<String, Object> perf, String key) {
        Object v = perf.get(key);
        return v instanceof String ? (String) v : "";
    }

    /** Text from another user's process, safe to print: no control characters reach the terminal. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c >= 0x7f && c < 0xa0 ? '?' : c);
        }
        return sb.toString();
    }
}
