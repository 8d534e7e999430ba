package io.vforkagent.core;

import java.io.IOException;
import java.util.function.LongBinaryOperator;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * The agent's side of the bridge: what {@code SpawnBridge} calls, through java.base's functional
 * interfaces (the bridge can name no class of the agent's), unpacked into the service's calls.
 */
final class BridgeCalls implements ToIntFunction<Object[]>, LongBinaryOperator, UnaryOperator<String> {
    private final SpawnService service;
    private final Control control;

    BridgeCalls(SpawnService service, Control control) {
        this.service = service;
        this.control = control;
    }

    /** {@code forkAndExec}'s receiver and arguments, as the bridge packed them. */
    @Override
    public int applyAsInt(Object[] a) {
        try {
            return service.forkAndExec(a[0], (Integer) a[1], (byte[]) a[2], (byte[]) a[3], (byte[]) a[4],
                    (Integer) a[5], (byte[]) a[6], (Integer) a[7], (byte[]) a[8], (int[]) a[9], (Boolean) a[10]);
        } catch (IOException e) {
            // The JDK's own exception, unchanged, to ProcessImpl: the interface cannot declare it.
            throw BridgeCalls.<RuntimeException>unchecked(e);
        }
    }

    /** {@code waitForProcessExit0(pid, reap)}, reap as 1 or 0. */
    @Override
    public long applyAsLong(long pid, long reap) {
        return service.waitForProcessExit(pid, reap != 0);
    }

    /** A later attach's options. */
    @Override
    public String apply(String options) {
        return control.control(options);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T unchecked(Throwable t) throws T {
        throw (T) t;
    }
}
