package io.vforkagent.core.record;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** A child reaped by the JDK, whether or not the application ever waited for it. */
@Name(ProcessExitEvent.NAME)
@Label("Process Exit")
@Category({"vfork-agent"})
@Description("A child process started through the agent exited")
@StackTrace(false)
public class ProcessExitEvent extends jdk.jfr.Event {
    public static final String NAME = "vforkagent.ProcessExit";

    @Label("PID")
    public long pid;

    @Label("Program")
    public String program;

    @Label("Exit Code")
    @Description("The exit status, or -1 when a signal killed the child")
    public int exitCode;

    @Label("Signal")
    @Description("The signal that killed the child (SIGKILL...), or empty")
    public String signal;

    @Label("Lifetime")
    @Timespan
    public long lifetimeNanos;

    @Label("Spawning Thread")
    public String spawnThread;

    @Label("User CPU")
    @Description("CPU time the child spent in user mode (its reaped children included); -1 if unknown")
    @Timespan
    public long userCpuNanos;

    @Label("System CPU")
    @Description("CPU time the child spent in the kernel (its reaped children included); -1 if unknown")
    @Timespan
    public long systemCpuNanos;

    @Label("Peak RSS")
    @Description("Largest resident set of the child or of one of its reaped children; -1 when it stayed below "
            + "the JVM's own peak, which Linux counts into every vfork/posix_spawn child's figure")
    @DataAmount
    public long maxRssBytes;

    @Label("Minor Page Faults")
    public long minorFaults;

    @Label("Major Page Faults")
    public long majorFaults;

    @Label("Voluntary Context Switches")
    public long voluntaryContextSwitches;

    @Label("Involuntary Context Switches")
    public long involuntaryContextSwitches;
}
