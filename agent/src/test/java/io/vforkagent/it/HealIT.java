package io.vforkagent.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JDK upgraded in place under running JVMs, as a package manager does it: the failure every
 * spawn of the JDK launcher then meets, a JVM under the agent that does not meet it, the heal by
 * attach (no restart), record-only mode naming the failure, and {@code list}/{@code doctor}
 * finding the broken JVMs without attaching. Also: {@code list} never attaches unasked, never to
 * another user's JVM, and an attach that hangs times out.
 */
class HealIT {
    private final Path scratch = Path.of("target", "heal").toAbsolutePath();
    private final List<Process> started = new ArrayList<>();
    private final int feature = Runtime.version().feature();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    /** A running HealApp, with its stdin and stdout at hand and its stderr in a file. */
    private RunningApp app(String name, Path java, String... jvmOptions) throws Exception {
        return new RunningApp(scratch, name, RunningApp.command(java.toString(), List.of(jvmOptions), HealApp.class),
                started);
    }

    private AgentJvm.Result cli(String... args) throws Exception {
        return AgentJvm.cli(scratch, args);
    }

    /** The text the JDK's own launcher throws when a helper of another build refuses the JVM. */
    private Pattern helperRefused() {
        return Pattern.compile(Pattern.quote("Cannot run program \"/bin/echo\": ") + (feature >= 25
                ? "Failed to exec spawn helper: pid: \\d+, exit code: 1, error: 0 \\(none\\) \\\\nPossible reasons:.*"
                : "error=0, Failed to exec spawn helper: pid: \\d+, exit value: 1"));
    }

    private static String jar() {
        return AgentJvm.AGENT_JAR.toString();
    }

    @Test
    void inPlaceUpgradeBreaksTheJdkLauncherAndAttachHealsIt() throws Exception {
        Path jdk = copyOfRunningJdk(scratch.resolve("jdk-" + feature));
        Path java = jdk.resolve("bin/java");
        RunningApp plain = app("plain", java);
        RunningApp agent = app("agent", java, AgentJvm.javaagent(""));
        RunningApp broken = app("broken", java);
        RunningApp recordOnly = app("record-only", java, AgentJvm.javaagent("launcher=jdk"));
        List<RunningApp> all = List.of(plain, agent, broken, recordOnly);
        for (RunningApp a : all) {
            assertEquals("SPAWN ok", a.ask("spawn", "SPAWN"), "every JVM spawns before the upgrade");
        }
        assertEquals("RECORDING", recordOnly.ask("record-start", "RECORDING"));
        AgentJvm.Result before = cli("list");
        assertEquals(0, before.exit, before::toString);
        for (RunningApp a : all) {
            assertTrue(row(before.stdout, a.pid).contains(" same "), before.stdout);
        }

        String running = release(jdk, "JAVA_RUNTIME_VERSION");
        String upgraded = upgradeInPlace(jdk);

        // The JDK's own launcher: every spawn fails, with the message people search for.
        String failure = plain.ask("spawn", "SPAWN");
        assertTrue(failure.startsWith("SPAWN failed "), failure);
        assertTrue(helperRefused().matcher(failure.substring(13)).matches(), failure);
        assertTrue(plain.ask("spawn", "SPAWN").startsWith("SPAWN failed "), "and again: no recovery");
        assertTrue(broken.ask("spawn", "SPAWN").startsWith("SPAWN failed "), "the JVM to heal is broken too");
        // Under the agent the same JDK keeps spawning: its launcher runs no helper.
        assertEquals("SPAWN ok", agent.ask("spawn", "SPAWN"));

        // Record-only mode meets the JDK's failure, says what it is, once per 10 s, and in the event.
        String recorded = recordOnly.ask("spawn", "SPAWN");
        assertTrue(helperRefused().matcher(recorded.substring(13)).matches(), recorded);
        assertTrue(recordOnly.ask("spawn", "SPAWN").startsWith("SPAWN failed "), "a second failure");
        List<String> warns = recordOnly.stderr().lines().filter(l -> l.contains("WARN spawn failed"))
                .collect(Collectors.toList());
        assertEquals(1, warns.size(), "one WARN in 10 s:\n" + recordOnly.stderr());
        String diagnosis = "the JDK launcher's helper " + jdk + "/lib/jspawnhelper refused this JVM: the JDK was"
                + " upgraded in place under this running JVM (" + jdk + " is now " + upgraded + ", this JVM runs "
                + running + "); every spawn through the JDK launcher fails until a restart. Fix without a restart:"
                + " java -jar " + jar() + " attach " + recordOnly.pid + " launcher=vfork (vfork-agent's launcher runs"
                + " no helper)";
        assertTrue(warns.get(0).contains(" launcher=POSIX_SPAWN ") && warns.get(0).endsWith(" diagnosis=\""
                + diagnosis + "\""), warns.get(0));
        Path rec = scratch.resolve("record-only.jfr");
        recordOnly.ask("record-dump " + rec, "DUMPED");
        List<RecordedEvent> failures = RecordingFile.readAllEvents(rec).stream()
                .filter(e -> e.getEventType().getName().equals("vforkagent.SpawnFailure"))
                .collect(Collectors.toList());
        assertEquals(2, failures.size(), failures::toString);
        for (RecordedEvent e : failures) {
            assertEquals(diagnosis, e.getString("diagnosis"));
            assertTrue(e.getString("message").contains("Failed to exec spawn helper"), e::toString);
        }

        // Found without attaching: list and doctor flag each JVM, with the fix.
        AgentJvm.Result list = cli("list");
        assertEquals(0, list.exit, list::toString);
        assertTrue(row(list.stdout, plain.pid).matches(plain.pid + " +\\S+ +" + Pattern.quote(running)
                + " +no +CHANGED +io\\.vforkagent\\.it\\.HealApp"), list.stdout);
        assertTrue(row(list.stdout, agent.pid).contains(" yes (-javaagent) "), list.stdout);
        assertTrue(row(list.stdout, broken.pid).contains(" no "), list.stdout);
        for (RunningApp a : all) {
            assertTrue(row(list.stdout, a.pid).contains(" CHANGED "), list.stdout);
            assertTrue(list.stdout.contains("\n" + a.pid + " (io.vforkagent.it.HealApp): its JDK changed on disk since"
                    + " it started "), list.stdout);
        }
        String plainNotes = notes(list.stdout, plain.pid);
        assertTrue(plainNotes.contains("\n    lib/jspawnhelper replaced ")
                && plainNotes.contains("\n    the installation is now " + upgraded + " (the JVM runs " + running + ")\n")
                && plainNotes.contains(" JDK files it runs from replaced on disk (")
                && plainNotes.contains("\n  its spawns through the JDK launcher fail: Cannot run program")
                && plainNotes.endsWith("\n  fix, no restart: java -jar " + jar() + " attach " + plain.pid + "\n"),
                plainNotes);
        assertTrue(notes(list.stdout, agent.pid).endsWith("attach " + agent.pid + " launcher=vfork\n"), list.stdout);
        assertTrue(plainNotes.contains(" JDK files it runs from replaced on disk (lib/server/libjvm.so, "), plainNotes);
        AgentJvm.Result json = cli("list", "--json");
        assertEquals(0, json.exit, json::toString);
        assertTrue(json.stdout.contains("{\"pid\": " + plain.pid + ", \"user\": \"" + System.getProperty("user.name")
                + "\", \"uid\": " + idU() + ", \"main\": \"io.vforkagent.it.HealApp\", \"jdk\": \"" + running
                + "\", \"javaHome\": \"" + jdk + "\""), json.stdout);
        assertTrue(json.stdout.contains("\"agent\": \"no\", \"jdkOnDisk\": \"CHANGED\", \"changes\": [\"lib/jspawnhelper "
                + "replaced "), json.stdout);
        assertTrue(json.stdout.contains("\"jdkLauncherBroken\": true, \"fix\": \"java -jar " + jar() + " attach "
                + plain.pid + "\", \"status\": null"), json.stdout);
        AgentJvm.Result doctor = cli("doctor", String.valueOf(plain.pid));
        assertEquals(1, doctor.exit, doctor::toString);
        assertTrue(doctor.stdout.contains("\nFAIL  jdk on disk            changed since it started: lib/jspawnhelper"
                + " replaced "), doctor.stdout);
        assertTrue(doctor.stdout.endsWith("\nverdict: JVM " + plain.pid + " cannot spawn through the JDK launcher;"
                + " fix, no restart: java -jar " + jar() + " attach " + plain.pid + "\n"), doctor.stdout);

        // The heal: an attach from another JDK, no restart; then its spawns work.
        AgentJvm.Result heal = cli("attach", String.valueOf(broken.pid));
        assertEquals(0, heal.exit, heal::toString);
        assertTrue(heal.stdout.startsWith("note: the JDK of " + broken.pid + " changed on disk since it started: "
                + "lib/jspawnhelper replaced "), heal.stdout);
        assertTrue(heal.stdout.contains("\nnote: attaching with jmx=false: "), heal.stdout);
        assertTrue(heal.stdout.endsWith("\nattached to " + broken.pid + ": active version=0.1.0 launcher=vfork\n"),
                heal.stdout);
        assertEquals("SPAWN ok", broken.ask("spawn", "SPAWN"));
        assertEquals("SPAWN ok", broken.ask("spawn", "SPAWN"));
        // Of the JDK now on disk, the heal loaded no more than the JDK's own agent loading needs
        // (libinstrument; libzip for the jar) and the file and NIO libraries, which most JVMs have
        // loaded long before (JDK 25 at its start). No class: lib/modules on disk is unreadable.
        List<String> fromNewJdk = Files.readAllLines(Path.of("/proc", String.valueOf(broken.pid), "maps")).stream()
                .filter(l -> l.contains(jdk + "/") && !l.endsWith(" (deleted)"))
                .map(l -> l.substring(l.indexOf(jdk + "/") + jdk.toString().length() + 1)).distinct().sorted()
                .collect(Collectors.toList());
        assertTrue(fromNewJdk.contains("lib/libinstrument.so") && List.of("lib/libinstrument.so", "lib/libnet.so",
                "lib/libnio.so", "lib/libzip.so").containsAll(fromNewJdk), fromNewJdk::toString);
        // Record-only mode switched to the agent's launcher, as its WARN said.
        AgentJvm.Result switched = cli("attach", String.valueOf(recordOnly.pid), "launcher=vfork");
        assertEquals(0, switched.exit, switched::toString);
        assertTrue(switched.stdout.endsWith("\nreconfigured " + recordOnly.pid + ": vfork-agent reconfigured "
                + "launcher=vfork; active version=0.1.0 launcher=vfork\n"), switched.stdout);
        assertEquals("SPAWN ok", recordOnly.ask("spawn", "SPAWN"));
        assertTrue(plain.ask("spawn", "SPAWN").startsWith("SPAWN failed "), "the one not healed stays broken");

        // Asked (--attach), list reads each agent's launcher: only the unhealed one keeps a fix.
        AgentJvm.Result after = cli("list", "--attach", String.valueOf(plain.pid), String.valueOf(agent.pid),
                String.valueOf(broken.pid), String.valueOf(recordOnly.pid));
        assertEquals(0, after.exit, after::toString);
        assertTrue(row(after.stdout, plain.pid).endsWith(" not loaded"), after.stdout);
        assertTrue(notes(after.stdout, plain.pid).contains("fix, no restart: "), after.stdout);
        for (RunningApp a : List.of(agent, broken, recordOnly)) {
            assertTrue(row(after.stdout, a.pid).endsWith(" active version=0.1.0 launcher=vfork"), after.stdout);
            assertTrue(notes(after.stdout, a.pid).endsWith("\n  it spawns through vfork-agent's launcher"
                    + " (launcher=vfork), which does not use jspawnhelper: spawns work; restart it on the new JDK when"
                    + " convenient\n"), after.stdout);
        }
        for (RunningApp a : all) {
            a.in.println("quit");
            assertTrue(a.process.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, a.process.exitValue(), "each application ends normally");
        }
    }

    @Test
    void listReadsWithoutAttachingAndAnAttachThatHangsTimesOut() throws Exception {
        RunningApp app = app("fake-socket", Path.of(AgentJvm.JAVA));
        // Its attach socket, before the JVM made one: something that accepts and never answers.
        Path socket = Path.of("/tmp", ".java_pid" + app.pid);
        AtomicInteger connections = new AtomicInteger();
        List<SocketChannel> held = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(server.accept());
                        connections.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            AgentJvm.Result list = cli("list");
            assertEquals(0, list.exit, list::toString);
            assertTrue(row(list.stdout, app.pid).matches(app.pid + " +\\S+ +" + Pattern.quote(System.getProperty(
                    "java.vm.version")) + " +no +same +io\\.vforkagent\\.it\\.HealApp"), list.stdout);
            assertEquals(0, connections.get(), "list (without --attach) connected to nothing");

            long t0 = System.nanoTime();
            AgentJvm.Result attached = cli("list", "--attach", "--timeout=2", String.valueOf(app.pid));
            assertEquals(0, attached.exit, attached::toString);
            assertTrue(row(attached.stdout, app.pid).endsWith(" attach timed out after 2.0 s"), attached.stdout);
            assertTrue(connections.get() > 0, "the attach was tried");
            AgentJvm.Result attach = cli("attach", "--timeout=2", String.valueOf(app.pid));
            assertEquals(1, attach.exit, attach::toString);
            assertEquals("vfork-agent attach: " + app.pid + " did not answer within 2.0 s (a hung JVM, or not a JVM"
                    + " behind its attach socket); whether the agent loaded is unknown\n", attach.stderr);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "both timed out");
            assertEquals("SPAWN ok", app.ask("spawn", "SPAWN"), "the application runs on");
        } finally {
            for (SocketChannel c : held) {
                c.close();
            }
            Files.deleteIfExists(socket);
        }

        // Root lists another user's JVM from its files, and attaches to it only when told to.
        if (!"0".equals(idU())) {
            return;
        }
        RunningApp other = new RunningApp(scratch, "nobody", RunningApp.command("setpriv", List.of("--reuid=65534",
                "--regid=65534", "--clear-groups", "--", AgentJvm.JAVA), HealApp.class), started);
        long pid = other.pid; // setpriv execs java: the same process
        AgentJvm.Result list = cli("list", "--attach", String.valueOf(pid));
        assertEquals(0, list.exit, list::toString);
        assertTrue(row(list.stdout, pid).matches(pid + " +nobody +" + Pattern.quote(System.getProperty(
                "java.vm.version")) + " +no +same +io\\.vforkagent\\.it\\.HealApp +not attached: JVM of user nobody"
                + " \\(attach <pid> to it explicitly\\)"), list.stdout);
        assertFalse(Files.exists(Path.of("/tmp", ".java_pid" + pid)), "its attach listener never started");
        assertEquals("SPAWN ok", other.ask("spawn", "SPAWN"));
    }

    private static String idU() throws Exception {
        Process p = new ProcessBuilder("id", "-u").start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    /** The table row of that pid. */
    private static String row(String table, long pid) {
        return table.lines().filter(l -> l.startsWith(pid + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + pid + " in\n" + table));
    }

    /** The notes below the table for that pid: its paragraph, to the blank line. */
    private static String notes(String table, long pid) {
        int start = table.indexOf("\n" + pid + " (");
        assertTrue(start >= 0, "no notes for " + pid + " in\n" + table);
        int end = table.indexOf("\n\n", start + 1);
        return table.substring(start, end < 0 ? table.length() : end + 1);
    }

    private static String release(Path jdk, String key) throws IOException {
        Matcher m = Pattern.compile("(?m)^" + key + "=\"([^\"]*)\"").matcher(Files.readString(jdk.resolve("release")));
        assertTrue(m.find(), key);
        return m.group(1);
    }

    /**
     * A copy of the running JDK, enough to run it: bin, conf, lib and release, symbolic links
     * followed (Debian's point into /etc and elsewhere). The sources and javac's symbols are left out.
     */
    static Path copyOfRunningJdk(Path to) throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        if (Files.exists(to)) {
            try (Stream<Path> old = Files.walk(to)) {
                for (Path p : old.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
                    Files.delete(p);
                }
            }
        }
        for (String top : List.of("bin", "conf", "lib", "release")) {
            Path from = home.resolve(top);
            try (Stream<Path> files = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
                for (Path f : files.collect(Collectors.toList())) {
                    Path rel = home.relativize(f);
                    if (rel.equals(Path.of("lib/src.zip")) || rel.equals(Path.of("lib/ct.sym")) || !Files.exists(f)) {
                        continue; // not needed to run, or a dangling link
                    }
                    Path target = to.resolve(rel.toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
        return to;
    }

    /**
     * What a package manager's upgrade does to the files under a running JVM: each file is
     * written beside the old one and renamed over it, so the JVM keeps the old ones it has open
     * and sees the new ones for anything it opens later. The new {@code lib/jspawnhelper} behaves
     * as a newer build's: it refuses a JVM of another version. The new {@code lib/modules} is not
     * a readable image at all: whatever reads the JDK's classes from disk rather than from the
     * JVM's own mapping of its image fails. Returns the version the release file names now.
     */
    private static String upgradeInPlace(Path jdk) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.walk(jdk.resolve("lib")), Files.walk(jdk.resolve("bin")))) {
            files = s.filter(Files::isRegularFile).collect(Collectors.toList());
        }
        for (Path f : files) {
            Path next = f.resolveSibling(f.getFileName() + ".dpkg-new");
            String name = jdk.relativize(f).toString();
            if (name.equals("lib/jspawnhelper")) {
                Files.writeString(next, "#!/bin/sh\n"
                        + "# jspawnhelper of a newer build: it refuses a JVM of another version.\n"
                        + "echo \"Incorrect Java version: $1\"\n"
                        + "echo 'This command is not for general use and should only be run as the result of a call to'\n"
                        + "echo 'ProcessBuilder.start() or Runtime.exec() in a java application'\n"
                        + "exit 1\n");
                Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else if (name.equals("lib/modules")) {
                Files.writeString(next, "not a jimage: the upgrade's new modules file\n");
            } else {
                Files.copy(f, next, StandardCopyOption.COPY_ATTRIBUTES);
            }
            Files.move(next, f, StandardCopyOption.ATOMIC_MOVE);
        }
        Path release = jdk.resolve("release");
        String text = Files.readString(release);
        Matcher m = Pattern.compile("(?m)^JAVA_RUNTIME_VERSION=\"(\\d+\\.\\d+\\.)(\\d+)([^\"]*)\"").matcher(text);
        assertTrue(m.find(), text);
        // The next update: 17.0.15+6-Debian-1deb12u1 becomes 17.0.16+6-Debian-1deb12u1, in every key.
        String next = m.group(1) + (Integer.parseInt(m.group(2)) + 1);
        Path written = jdk.resolve("release.dpkg-new");
        Files.writeString(written, text.replace("\"" + m.group(1) + m.group(2), "\"" + next));
        Files.move(written, release, StandardCopyOption.ATOMIC_MOVE);
        String now = next + m.group(3);
        return now;
    }
}
