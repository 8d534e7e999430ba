package io.vforkagent.core;

import io.vforkagent.core.launch.NativeLauncher;
import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        public void spawned(Object event, long startNanos, long endNanos, int pid, String launcher, byte[] prog,
                            byte[] argBlock, int argc, byte[] envBlock, int envc, byte[] dir, int fd0, int fd1, int fd2,
                            boolean redirectErrorStream, long[] out, byte[] execPath) {
            throw error;
        }

        @Override
        public void failed(long startNanos, long endNanos, String launcher, byte[] prog, byte[] argBlock, int argc,
                           byte[] envBlock, int envc, byte[] dir, int fd0, int fd1, int fd2,
                           boolean redirectErrorStream, int errno, String errnoName, String step, String message) {
            throw error;
        }

        @Override
        public void exited(long pid, int jdkValue, int status, long[] usage) {
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
