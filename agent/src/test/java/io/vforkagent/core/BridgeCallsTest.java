package io.vforkagent.core;

import io.vforkagent.bridge.SpawnBridge;
import io.vforkagent.core.launch.ChildExit;
import io.vforkagent.core.launch.Launcher;
import io.vforkagent.core.launch.Outcomes;
import io.vforkagent.core.launch.Requests;
import io.vforkagent.core.launch.SpawnOutcome;
import io.vforkagent.core.launch.SpawnRequest;
import io.vforkagent.core.record.Recorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's calls, as {@code ProcessImpl} and the reaper make them, through the agent's
 * {@link BridgeCalls} (interfaces of java.base, no method handle): every argument arrives in its
 * place, the JDK's own exception comes back unchanged, and the exit and control calls pass.
 */
class BridgeCallsTest {
    @AfterEach
    void uninstall() throws Exception {
        BootstrapBridge.install(SpawnBridge.class, null);
        System.clearProperty(AgentStatus.PROPERTY);
        System.clearProperty(AgentStatus.LAST_PROPERTY);
    }

    /** Keeps the request and answers as told. */
    private static final class FakeLauncher implements Launcher {
        final List<SpawnRequest> launched = new ArrayList<>();
        final List<Object> waited = new ArrayList<>();
        SpawnOutcome outcome;

        @Override
        public SpawnOutcome launch(SpawnRequest request, boolean wantExecutable) {
            launched.add(request);
            return outcome;
        }

        @Override
        public ChildExit waitForExit(long pid, boolean reap) {
            waited.add(pid + (reap ? " reap" : " peek"));
            return Outcomes.reaped(3, 3 << 8);
        }
    }

    private static byte[] cstr(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void callsReachTheServiceUnchanged() throws Exception {
        FakeLauncher vfork = new FakeLauncher();
        Recorder recorder = new Recorder(Options.parse("", new Properties()));
        SpawnStats stats = new SpawnStats();
        SpawnService service = new SpawnService(new FakeLauncher(), vfork, stats, recorder);
        service.launcherState(LauncherState.STARTING.libraryLoaded());
        service.ready();
        Control control = new Control(service, recorder, new AgentBean(service, stats, recorder));
        BridgeCalls calls = new BridgeCalls(service, control);
        BootstrapBridge.install(SpawnBridge.class, calls); // as the agent does it, through variable handles
        assertTrue(SpawnBridge.installed());

        vfork.outcome = Outcomes.started(4242, false);
        Object[] passed = {new Object(), 2, cstr("/helper"), cstr("/bin/echo"), cstr("a\0b"), 2, cstr("K=V"), 1,
            cstr("/tmp"), new int[] {-1, -1, -1}, true};
        assertEquals(4242, forkAndExec(passed));
        Object[] arrived = Requests.asPassed(vfork.launched.get(0));
        for (int i = 0; i < passed.length; i++) {
            if (passed[i] instanceof Number || passed[i] instanceof Boolean) {
                assertEquals(passed[i], arrived[i], "argument " + i);
            } else {
                assertSame(passed[i], arrived[i], "argument " + i);
            }
        }
        Object process = passed[0];

        IOException jdkText = new IOException("error=2, No such file or directory");
        vfork.outcome = Outcomes.failed("vfork", 2, "ENOENT", "exec", jdkText);
        IOException thrown = assertThrows(IOException.class, () -> forkAndExec(new Object[] {process, 2, null,
            cstr("nope"), new byte[0], 0, null, 0, null, new int[] {-1, -1, -1}, false}));
        assertSame(jdkText, thrown);

        Method exit = SpawnBridge.class.getDeclaredMethod("waitForProcessExit", long.class, boolean.class);
        exit.setAccessible(true);
        assertEquals(3, exit.invoke(null, 77L, true));
        assertEquals(List.of("77 reap"), vfork.waited);

        String answer = SpawnBridge.control("launcher=jdk");
        assertTrue(answer.contains("launcher=jdk"), answer);
        assertFalse(service.launcherState().vfork);
    }

    /** The bridge's spawn call, as ProcessImpl makes it (package access: through reflection here); its exception unwrapped. */
    private static int forkAndExec(Object[] a) throws Exception {
        Method m = SpawnBridge.class.getDeclaredMethod("forkAndExec", Object.class, int.class, byte[].class,
                byte[].class, byte[].class, int.class, byte[].class, int.class, byte[].class, int[].class,
                boolean.class);
        m.setAccessible(true);
        try {
            return (Integer) m.invoke(null, a);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /**
     * No way in for other code of the JVM (java.lang is exported to all): nothing public installs
     * into the bridge or calls its spawn and exit paths, which only ProcessImpl and the reaper call.
     */
    @Test
    void onlyTheAgentAndJavaLangReachTheBridge() {
        for (Method m : SpawnBridge.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers())) {
                assertTrue(m.getName().equals("control") || m.getName().equals("installed"), m.toString());
            }
        }
        for (Field f : SpawnBridge.class.getDeclaredFields()) {
            assertTrue(Modifier.isPrivate(f.getModifiers()), f.toString());
        }
    }

    /** The bridge holds no method handle: making them cost the premain ~20 ms of spun LambdaForms. */
    @Test
    void theBridgeHoldsNoMethodHandle() {
        for (Field f : SpawnBridge.class.getDeclaredFields()) {
            assertFalse(MethodHandle.class.isAssignableFrom(f.getType()), f.toString());
        }
    }
}
