package io.vforkagent.core.record;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A spawn that failed: always worth recording, so no threshold. */
@Name(SpawnFailureEvent.NAME)
@Label("Process Spawn Failure")
@Category({"vfork-agent"})
@Description("A child process could not be started")
@StackTrace(true)
@Threshold("0 ms")
public class SpawnFailureEvent extends jdk.jfr.Event {
    public static final String NAME = "vforkagent.SpawnFailure";

    @Label("Program")
    public String program;

    @Label("Arguments")
    public String arguments;

    @Label("Argument Count")
    public int argumentCount;

    @Label("Directory")
    public String directory;

    @Label("Launcher")
    public String launcher;

    @Label("Stdin")
    public String stdin;

    @Label("Stdout")
    public String stdout;

    @Label("Stderr")
    public String stderr;

    @Label("Environment")
    public String environment;

    @Label("Argv+Envp Size")
    @Description("Bytes of the argument and environment blocks: what E2BIG is about")
    @DataAmount
    public long argvEnvpBytes;

    @Label("Errno")
    public int errno;

    @Label("Errno Name")
    @Description("ENOENT, EACCES, E2BIG, EMFILE, EAGAIN, ENOMEM...")
    public String errnoName;

    @Label("Step")
    @Description("Where it failed: pipe, alloc, clone, fds, chdir, exec")
    public String step;

    @Label("Message")
    @Description("The exception message the application received")
    public String message;

    @Label("Caller")
    public String caller;

    @Label("Diagnosis")
    @Description("What the failure is and how to fix it, when vfork-agent recognises it (a JDK upgraded in place"
            + " under the JVM); empty otherwise")
    public String diagnosis;
}
