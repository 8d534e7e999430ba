package io.vforkagent.core.record;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;
import jdk.jfr.Timespan;

/**
 * One successful spawn; its duration is the latency the application paid in {@code start()}'s
 * native call. The application frame that made it is in the stack trace (the report finds it);
 * it is not copied into a field, which would cost a stack walk (~2 us) per spawn.
 */
@Name(SpawnEvent.NAME)
@Label("Process Spawn")
@Category({"vfork-agent"})
@Description("A child process started; duration is the time spent launching it")
@StackTrace(true)
@Threshold("0 ms")
public class SpawnEvent extends jdk.jfr.Event {
    public static final String NAME = "vforkagent.Spawn";

    @Label("PID")
    @Description("Process id of the child")
    public long pid;

    @Label("Program")
    @Description("The program as the application gave it (argv[0])")
    public String program;

    @Label("Executable")
    @Description("The file actually executed after the PATH search")
    public String executable;

    @Label("Arguments")
    @Description("Arguments 1..n, secrets redacted unless configured otherwise, length-capped")
    public String arguments;

    @Label("Argument Count")
    public int argumentCount;

    @Label("Directory")
    @Description("Working directory of the child, or empty when inherited")
    public String directory;

    @Label("Launcher")
    @Description("vfork: the agent's launcher; or the JDK's mechanism (POSIX_SPAWN, FORK, VFORK)")
    public String launcher;

    @Label("Stdin")
    @Description("pipe, inherit, or file/fd")
    public String stdin;

    @Label("Stdout")
    public String stdout;

    @Label("Stderr")
    @Description("pipe, inherit, file/fd, or stdout (redirectErrorStream)")
    public String stderr;

    @Label("Environment")
    @Description("inherited, or the number of variables given; values are never recorded")
    public String environment;

    @Label("Argv+Envp Size")
    @DataAmount
    public long argvEnvpBytes;

    @Label("Setup")
    @Description("Launcher time before the clone: pipes, argv/envp, stack")
    @Timespan
    public long setupNanos;

    @Label("Clone To Exec")
    @Description("From clone until the parent resumed: the child's set-up and exec")
    @Timespan
    public long cloneToExecNanos;

    @Label("After Exec")
    @Description("Launcher time after the parent resumed: clean-up")
    @Timespan
    public long afterNanos;
}
