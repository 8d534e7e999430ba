package io.vforkagent.core.launch;

/** What starts and reaps children: the JDK's own launcher, or the agent's native one. */
public interface Launcher {
    /**
     * Starts the child the request describes, filling {@code fds} with the parent's pipe ends as
     * {@code ProcessImpl.forkAndExec} does. A failure the JDK reports with an IOException is an
     * outcome carrying that exception, not thrown here.
     *
     * @param wantExecutable whether the outcome should tell the path exec'd (costs a buffer)
     */
    SpawnOutcome launch(SpawnRequest request, boolean wantExecutable);

    /**
     * Waits for a child's exit, reaping it when {@code reap}; null when this launcher cannot
     * (not its child, an error): the caller then asks the JDK.
     */
    ChildExit waitForExit(long pid, boolean reap);
}
