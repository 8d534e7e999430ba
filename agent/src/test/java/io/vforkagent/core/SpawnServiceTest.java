package io.vforkagent.core;

import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.Launcher;
import io.vforkagent.core.launch.NativeLauncher;
import io.vforkagent.core.launch.Outcomes;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spawn path with a recorder that fails in the worst ways: the application's spawn never pays for it. */
class SpawnServiceTest {
    @TempDir
    static Path tmp;

    @BeforeAll
    static void load() throws IOException {
        NativeLauncher.load(tmp);
    }

    /** A recorder that throws what a deep stack or a broken JVM throws, at every step. */
    private static final class FailingRecorder extends Recorder {
        private final Error error;

        FailingRecorder(Error error) {
            super(Options.parse("", new Properties()));
            this.error = error;
        }

        @Override
        public Object beginSpawn() {
            throw error;
        }

        @Override
        public void record(Object event, SpawnRequest request, SpawnOutcome outcome) {
            throw error;
        }

        @Override
        public void exited(long pid, ChildExit exit) {
            throw error;
        }
    }

    private static SpawnService service(Recorder recorder) {
        SpawnService s = new SpawnService(null, new SpawnStats(), recorder);
        s.launcherState(LauncherState.STARTING.libraryLoaded());
        s.ready();
        return s;
    }

    private static byte[] cstr(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** The child exists: it reaches the caller, pid and pipes, whatever recording threw. */
    @Test
    void aStartedChildReachesTheApplicationWhateverRecordingThrows() throws Exception {
        for (Error e : new Error[] {new StackOverflowError(), new InternalError("x"), new OutOfMemoryError("x")}) {
            SpawnService s = service(new FailingRecorder(e));
            int[] fds = {-1, -1, -1};
            int pid = s.forkAndExec(null, 0, null, cstr("/bin/true"), new byte[0], 0, null, 0, null, fds, false);
            assertTrue(pid > 0, e.toString());
            assertTrue(fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0, e.toString());
            assertEquals(0, s.waitForProcessExit(pid, true), e.toString());
            Descriptors.close(fds);
        }
    }

    /** A failed spawn throws the JDK's IOException, not what recording threw. */
    @Test
    void aFailedSpawnThrowsTheLaunchersExceptionWhateverRecordingThrows() {
        SpawnService s = service(new FailingRecorder(new StackOverflowError()));
        int[] fds = {-1, -1, -1};
        IOException e = assertThrows(IOException.class, () -> s.forkAndExec(null, 0, null,
                cstr("/nonexistent/program"), new byte[0], 0, null, 0, null, fds, false));
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
    }

    /** A launcher that answers what it is told to and keeps what it was asked. */
    private static final class FakeLauncher implements Launcher {
        final java.util.List<SpawnRequest> launched = new java.util.ArrayList<>();
        final java.util.List<Long> waited = new java.util.ArrayList<>();
        SpawnOutcome outcome;
        ChildExit exit;

        @Override
        public SpawnOutcome launch(SpawnRequest request, boolean wantExecutable) {
            launched.add(request);
            request.fds()[0] = 100; // the parent's pipe end, as a launcher writes it
            return outcome;
        }

        @Override
        public ChildExit waitForExit(long pid, boolean reap) {
            waited.add(pid);
            return exit;
        }
    }

    /** A recorder that keeps what it was given. */
    private static final class KeepingRecorder extends Recorder {
        final java.util.List<Object[]> records = new java.util.ArrayList<>();
        final java.util.List<ChildExit> exits = new java.util.ArrayList<>();

        KeepingRecorder() {
            super(Options.parse("", new Properties()));
        }

        @Override
        public void record(Object event, SpawnRequest request, SpawnOutcome outcome) {
            records.add(new Object[] {request, outcome});
        }

        @Override
        public void exited(long pid, ChildExit exit) {
            exits.add(exit);
        }
    }

    /** Launch, record, return: the launcher's pid and pipe ends reach the caller, the record sees both sides. */
    @Test
    void launchRecordReturn() throws Exception {
        FakeLauncher jdk = new FakeLauncher();
        FakeLauncher vfork = new FakeLauncher();
        vfork.outcome = Outcomes.started(4242, false);
        jdk.outcome = Outcomes.startedByJdk(4343);
        KeepingRecorder recorder = new KeepingRecorder();
        SpawnStats stats = new SpawnStats();
        SpawnService s = new SpawnService(jdk, vfork, stats, recorder);
        s.launcherState(LauncherState.STARTING.libraryLoaded());
        s.ready();
        int[] fds = {-1, 1, 2};
        assertEquals(4242, s.forkAndExec(null, 2, null, cstr("/bin/echo"), cstr("hi"), 1, null, 0, null, fds, false));
        assertEquals(100, fds[0]);
        assertEquals(1, vfork.launched.size());
        assertEquals(0, jdk.launched.size());
        SpawnRequest r = (SpawnRequest) recorder.records.get(0)[0];
        assertEquals("/bin/echo", r.program());
        assertEquals(java.util.List.of("hi"), r.arguments(false));
        // What the application asked for, not what the launch wrote over it.
        assertEquals("pipe inherit inherit", r.redirect(0) + " " + r.redirect(1) + " " + r.redirect(2));
        assertEquals(vfork.outcome, recorder.records.get(0)[1]);

        s.launcherState(LauncherState.STARTING.wanting("jdk").libraryLoaded());
        assertEquals(4343, s.forkAndExec(null, 2, null, cstr("/bin/echo"), new byte[0], 0, null, 0, null,
                new int[] {-1, -1, -1}, false));
        assertEquals(1, jdk.launched.size());
        assertEquals(1, stats.vforkSpawns());
        assertEquals(1, stats.jdkSpawns());
        assertEquals(0, stats.failures());
    }

    /** A failure throws the launcher's own exception, the same instance, after it is counted and recorded. */
    @Test
    void aFailureThrowsTheLaunchersException() {
        FakeLauncher vfork = new FakeLauncher();
        IOException jdkText = new IOException("error=2, No such file or directory");
        vfork.outcome = Outcomes.failed("vfork", 2, "ENOENT", "exec", jdkText);
        KeepingRecorder recorder = new KeepingRecorder();
        SpawnStats stats = new SpawnStats();
        SpawnService s = new SpawnService(new FakeLauncher(), vfork, stats, recorder);
        s.launcherState(LauncherState.STARTING.libraryLoaded());
        s.ready();
        IOException e = assertThrows(IOException.class, () -> s.forkAndExec(null, 2, null, cstr("nope"), new byte[0],
                0, null, 0, null, new int[] {-1, -1, -1}, false));
        assertSame(jdkText, e);
        assertEquals(1, stats.failures());
        assertEquals(java.util.Map.of("ENOENT", 1L), stats.failuresByErrno());
        assertEquals(1, recorder.records.size());
        assertFalse(((SpawnOutcome) recorder.records.get(0)[1]).started());
    }

    /** wait4 first where the library is loaded; the JDK's answer when it is not our child; a non-reap is not recorded. */
    @Test
    void exitsAreReapedNativelyOrByTheJdk() {
        FakeLauncher jdk = new FakeLauncher();
        FakeLauncher vfork = new FakeLauncher();
        KeepingRecorder recorder = new KeepingRecorder();
        SpawnService s = new SpawnService(jdk, vfork, new SpawnStats(), recorder);
        s.launcherState(LauncherState.STARTING.wanting("jdk").libraryLoaded()); // launcher=jdk still reaps with wait4
        s.ready();
        vfork.exit = Outcomes.reaped(0x80 + 9, 9);
        assertEquals(0x80 + 9, s.waitForProcessExit(7, true));
        assertEquals(java.util.List.of(7L), vfork.waited);
        assertEquals(9, recorder.exits.get(0).signal());
        vfork.exit = null; // not its child
        jdk.exit = Outcomes.byJdk(3);
        assertEquals(3, s.waitForProcessExit(8, true));
        assertEquals(java.util.List.of(8L), jdk.waited);
        assertEquals(3, recorder.exits.get(1).code());
        assertEquals(3, s.waitForProcessExit(9, false));
        assertEquals(2, recorder.exits.size(), "a wait without a reap is no exit");
        assertEquals(java.util.List.of(7L, 8L), vfork.waited, "wait4 only reaps");
        s.launcherState(LauncherState.STARTING.loadFailed("no library")); // no library: the JDK's wait only
        assertEquals(3, s.waitForProcessExit(10, true));
        assertEquals(java.util.List.of(7L, 8L), vfork.waited);
    }

    /** Closes the parent's pipe ends the launcher returned (no FileDescriptor objects in a unit test). */
    static final class Descriptors {
        static void close(int[] fds) {
            com.sun.jna.NativeLibrary c = com.sun.jna.NativeLibrary.getProcess();
            for (int fd : fds) {
                c.getFunction("close").invokeInt(new Object[] {fd});
            }
        }
    }
}
