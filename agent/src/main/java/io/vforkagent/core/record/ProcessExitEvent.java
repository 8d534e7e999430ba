package io.vforkagent.core.record;

import jdk.jfr.Category;
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
}
