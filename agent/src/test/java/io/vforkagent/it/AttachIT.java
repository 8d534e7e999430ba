package io.vforkagent.it;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent loaded into a JVM that started without it, reconfigured, listed; and what attach refuses. */
class AttachIT {
    private final Path scratch = Path.of("target", "attach").toAbsolutePath();
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(Process::destroyForcibly);
    }

    /** A running WaitingApp, without the agent, with its stdin and stdout at hand. */
    private RunningApp app(String... jvmOptions) throws Exception {
        return new RunningApp(scratch, "app", RunningApp.command(AgentJvm.JAVA, List.of(jvmOptions), WaitingApp.class),
                started);
    }

    private AgentJvm.Result cli(String... args) throws Exception {
        return AgentJvm.cli(scratch, args);
    }

    @Test
    void attachReconfigureDetachAndList() throws Exception {
        RunningApp app = app();
        assertEquals("AGENT none", app.ask("agent", "AGENT"), "no agent before the attach");

        // No slow-spawn WARN before the threshold is set to 0 below: stderr WARNs are rate-limited.
        AgentJvm.Result attach = cli("attach", String.valueOf(app.pid), "slowSpawnMs=600000");
        assertEquals(0, attach.exit, attach::toString);
        assertEquals("attached to " + app.pid + ": active version=0.1.0 launcher=vfork\n", attach.stdout);
        // A typo in a later attach names the option, changes nothing, and leaves the agent running.
        AgentJvm.Result typo = cli("attach", String.valueOf(app.pid), "launcher=posix");
        assertEquals(2, typo.exit, typo::toString);
        assertTrue(typo.stderr.startsWith("vfork-agent attach: option launcher=posix is not valid")
                && typo.stderr.contains("accepted values: vfork, jdk; nothing was attached"), typo::toString);
        assertTrue(cli("list", "--attach", String.valueOf(app.pid)).stdout.lines()
                .anyMatch(l -> l.startsWith(app.pid + " ") && l.contains("active version=0.1.0 launcher=vfork")),
                "still active after the typo");
        // The same typo through another attach tool reaches the running agent, which names it and
        // changes nothing.
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(String.valueOf(app.pid));
        try {
            vm.loadAgent(System.getProperty("vforkagent.jar"), "launcher=posix");
            assertTrue(vm.getSystemProperties().getProperty("vfork-agent.status")
                    .startsWith("active version=0.1.0 launcher=vfork"), "still active after the typo");
            assertTrue(vm.getSystemProperties().getProperty("vfork-agent.status.last")
                    .startsWith("vfork-agent: option launcher=posix is not valid"), "the running agent names it");
        } finally {
            vm.detach();
        }
        app.ask("spawn 3", "SPAWNED");
        String agent = app.ask("agent", "AGENT");
        assertTrue(agent.startsWith("AGENT launcher=vfork vfork=3 jdk=0 failures=0"), agent);
        // The reaper was rewritten by the attach too: the three exits were recorded.
        assertTrue(agent.contains(" live=0 ") && agent.contains(" exits=3 byErrno={}"), agent);
        // A child started before the attach keeps the JDK's reaping: its exit code, not recorded.
        assertEquals("EARLY-EXIT 7", app.ask("finish-early", "EARLY-EXIT"));
        assertTrue(app.ask("agent", "AGENT").contains(" exits=3 "), "the earlier child is not the agent's");
        // What a child started after the attach cost, from wait4, in a recording.
        app.ask("record-start", "RECORDING");
        String burned = app.ask("burn", "BURNED");
        assertTrue(burned.endsWith(" exit=0"), burned);
        long burnerPid = Long.parseLong(burned.replaceAll("BURNED pid=(\\d+) .*", "$1"));
        Path rec = scratch.resolve("attached.jfr");
        app.ask("record-dump " + rec, "DUMPED");
        RecordedEvent exit = RecordingFile.readAllEvents(rec).stream()
                .filter(e -> e.getEventType().getName().equals("vforkagent.ProcessExit") && e.getLong("pid") == burnerPid)
                .findFirst().orElseThrow(() -> new AssertionError("no exit event for the burner"));
        assertTrue(exit.getLong("userCpuNanos") + exit.getLong("systemCpuNanos") > 50_000_000L, exit::toString);
        assertTrue(exit.getLong("maxRssBytes") > 290_000_000L, exit::toString);

        AgentJvm.Result jdk = cli("attach", WaitingApp.class.getSimpleName(), "launcher=jdk,slowSpawnMs=0,tmpdir=/tmp");
        assertEquals(0, jdk.exit, jdk::toString);
        assertEquals("reconfigured " + app.pid + ": vfork-agent reconfigured launcher=jdk slowSpawnMs=0; "
                + "not applied until a restart: tmpdir; active version=0.1.0 launcher=jdk reason=\"launcher=jdk\"\n",
                jdk.stdout);
        app.ask("spawn 2", "SPAWNED");
        assertTrue(app.ask("agent", "AGENT").startsWith("AGENT launcher=jdk vfork=4 jdk=2"));
        // The new threshold is in force: every spawn is now "slow" (stderr: the app has no SLF4J).
        String stderr = Files.readString(scratch.resolve("app-stderr.txt"));
        assertTrue(stderr.contains("[vfork-agent] WARN slow spawn ") && stderr.contains(" launcher=POSIX_SPAWN ")
                && stderr.contains(" threshold_ms=0"), stderr);

        AgentJvm.Result back = cli("attach", String.valueOf(app.pid));
        assertEquals(0, back.exit, back::toString);
        assertTrue(back.stdout.contains("launcher=vfork"), back.stdout);
        AgentJvm.Result detach = cli("detach", String.valueOf(app.pid));
        assertEquals(0, detach.exit, detach::toString);
        assertTrue(detach.stdout.contains("active version=0.1.0 launcher=jdk"), detach.stdout);
        app.ask("spawn 1", "SPAWNED");
        assertTrue(app.ask("agent", "AGENT").startsWith("AGENT launcher=jdk vfork=4 jdk=3"));

        // Only asked (--attach) does list read the agent's state from the JVM itself.
        AgentJvm.Result list = cli("list", "--attach", String.valueOf(app.pid));
        assertEquals(0, list.exit, list::toString);
        assertTrue(list.stdout.lines().anyMatch(l -> l.startsWith(String.valueOf(app.pid))
                && l.contains(WaitingApp.class.getName()) && l.contains("active version=0.1.0 launcher=jdk")),
                list.stdout);
        app.in.println("quit");
        assertTrue(app.process.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, app.process.exitValue(), "the application ends normally");
    }

    @Test
    void attachRefusals() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        started.add(sleeper);
        AgentJvm.Result notJvm = cli("attach", String.valueOf(sleeper.pid()));
        assertEquals(1, notJvm.exit, notJvm::toString);
        assertTrue(notJvm.stderr.startsWith("vfork-agent attach: cannot attach to " + sleeper.pid()), notJvm.stderr);

        AgentJvm.Result gone = cli("attach", "999999999");
        assertEquals(1, gone.exit);
        assertEquals("vfork-agent attach: no process with pid 999999999\n", gone.stderr);

        AgentJvm.Result none = cli("attach", "NoSuchMainClassAnywhere");
        assertEquals(1, none.exit);
        assertTrue(none.stderr.startsWith("vfork-agent attach: 0 JVMs match 'NoSuchMainClassAnywhere'"), none.stderr);

        RunningApp disabled = app("-XX:+DisableAttachMechanism");
        AgentJvm.Result refused = cli("attach", String.valueOf(disabled.pid));
        assertEquals(1, refused.exit, refused::toString);
        assertTrue(refused.stderr.contains("cannot attach to " + disabled.pid), refused.stderr);

        RunningApp app = app();
        // A bad option is refused before anything reaches the target.
        AgentJvm.Result badOption = cli("attach", String.valueOf(app.pid), "launcher=posix");
        assertEquals(2, badOption.exit, badOption::toString);
        assertEquals("vfork-agent attach: option launcher=posix is not valid (agent argument launcher); accepted "
                + "values: vfork, jdk; nothing was attached\n", badOption.stderr);
        assertEquals("AGENT none", app.ask("agent", "AGENT"), "the application runs on without the agent");

        // One the target itself holds (a system property) makes it decline: the exact reason, from
        // the target, on the operator's terminal.
        RunningApp badProperty = app("-Dvforkagent.launcher=posix");
        AgentJvm.Result declined = cli("attach", String.valueOf(badProperty.pid));
        assertEquals(1, declined.exit, declined::toString);
        assertEquals("vfork-agent attach: the agent did not start in " + badProperty.pid + ": inactive version=0.1.0 "
                + "reason=\"option launcher=posix is not valid (-Dvforkagent.launcher); accepted values: "
                + "vfork, jdk\"\n", declined.stderr);
        assertEquals("AGENT none", badProperty.ask("agent", "AGENT"), "the application runs on without the agent");

        AgentJvm.Result usage = cli("attach");
        assertEquals(2, usage.exit);
    }

    @Test
    void doctorOnThisHost() throws Exception {
        AgentJvm.Result ok = cli("doctor");
        assertEquals(0, ok.exit, ok::toString);
        assertTrue(ok.stdout.contains("ok    test spawn             /bin/true through clone(CLONE_VM|CLONE_VFORK)"),
                ok.stdout);
        assertTrue(ok.stdout.contains("verdict: vfork-agent can run here (launcher=vfork)"), ok.stdout);
        assertEquals("", ok.stderr, "no warning on any JDK");

        AgentJvm.Result bad = cli("doctor", "tmpdir=/nonexistent/vfa");
        assertEquals(1, bad.exit, bad::toString);
        assertTrue(bad.stdout.contains("FAIL  native library"), bad.stdout);
        assertTrue(bad.stdout.contains("fix: set tmpdir="), bad.stdout);
        assertTrue(bad.stdout.contains("verdict: vfork-agent would fall back to the JDK launcher here"), bad.stdout);
    }
}
