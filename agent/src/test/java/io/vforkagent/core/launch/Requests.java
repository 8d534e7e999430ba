package io.vforkagent.core.launch;

/** Test access to a request as the JDK passed it. */
public final class Requests {
    private Requests() {
    }

    /** {@code forkAndExec}'s receiver and ten arguments, in the JDK's order, as the request holds them. */
    public static Object[] asPassed(SpawnRequest r) {
        return new Object[] {r.process, r.mode, r.helperpath, r.prog, r.argBlock, r.argc, r.envBlock, r.envc, r.dir,
            r.fds, r.redirectErrorStream};
    }
}
