package io.vforkagent.core.launch;

/** The agent's launcher: {@code libvforkagent.so}, once {@link NativeLauncher} has bound it. */
public final class VforkLauncher implements Launcher {
    public static final VforkLauncher INSTANCE = new VforkLauncher();

    private VforkLauncher() {
    }

    @Override
    public SpawnOutcome launch(SpawnRequest r, boolean wantExecutable) {
        long[] out = new long[NativeLauncher.OUT_LEN];
        byte[] execPath = wantExecutable ? new byte[4096] : null;
        long start = System.nanoTime();
        int pid = NativeLauncher.spawn(r.prog, r.argBlock, r.argc, r.envBlock, r.envc, r.dir, r.fds,
                r.redirectErrorStream, execPath, out);
        long end = System.nanoTime();
        if (pid < 0) {
            int errno = (int) out[NativeLauncher.OUT_ERRNO];
            int step = (int) out[NativeLauncher.OUT_STEP];
            return SpawnOutcome.failed("vfork", start, end, errno, ErrnoNames.name(errno),
                    NativeLauncher.stepName(step), ErrorMessages.exception(errno, step));
        }
        return SpawnOutcome.started("vfork", pid, start, end,
                out[NativeLauncher.OUT_T_CLONE] - out[NativeLauncher.OUT_T_START],
                out[NativeLauncher.OUT_T_RESUMED] - out[NativeLauncher.OUT_T_CLONE],
                out[NativeLauncher.OUT_T_END] - out[NativeLauncher.OUT_T_RESUMED], execPath);
    }

    /** Reaps with wait4, keeping the child's resource usage; only a reap is ever asked of it. */
    @Override
    public ChildExit waitForExit(long pid, boolean reap) {
        if (!reap) {
            return null; // wait4 always reaps
        }
        long[] usage = new long[NativeLauncher.WAIT_LEN];
        int value = NativeLauncher.waitExit(pid, usage);
        return value == -1 ? null : ChildExit.reaped(value, usage);
    }
}
