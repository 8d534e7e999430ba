package io.vforkagent.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the agent's start costs a JVM that never spawns, seen in its class-load log once the
 * agent has fully started: the start-up cuts of docs/performance.md ("Start-up: where it goes")
 * stay made.
 */
class StartupCostIT {
    private static List<String> classes;
    private static List<String> lines;

    @BeforeAll
    static void startOnce() throws Exception {
        Path scratch = Path.of("target", "startup-cost").toAbsolutePath();
        Files.createDirectories(scratch);
        Path log = Files.createTempFile(scratch, "classes", ".log");
        AgentJvm.Result r = AgentJvm.run(List.of("-Xlog:class+load:file=" + log + ":none", AgentJvm.javaagent("")),
                StartedApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        // The vfork launcher loaded: the whole start was made, not a fallback.
        assertTrue(r.stdout.contains("STARTED status=active version=") && r.stdout.contains("launcher=vfork"),
                r::toString);
        lines = Files.readAllLines(log);
        classes = lines.stream().map(l -> l.split(" ")[0]).collect(Collectors.toList());
        assertTrue(classes.contains("java.lang.VforkAgentBridge"), "no bridge in the log: " + classes.size());
    }

    private static void noneLoaded(String prefix, String why) {
        List<String> found = classes.stream().filter(c -> c.startsWith(prefix)).collect(Collectors.toList());
        assertTrue(found.isEmpty(), why + ": " + found);
    }

    @Test
    void startSpawnsNothing() {
        // JNA's NativeLibrary would run "ldconfig -p" through Runtime.exec: refused by the agent,
        // but paid for (the JDK's ProcessBuilder machinery, an exception) at every start.
        // (Its nested null streams may load on JDK 25 as the rewritten ProcessImpl is verified.)
        assertTrue(!classes.contains("java.lang.ProcessBuilder"), "the start set a spawn going");
    }

    @Test
    void processReaperNotSetUp() {
        // ProcessHandle.current() initialises ProcessHandleImpl: its reaper executor and lambdas.
        noneLoaded("java.lang.ProcessHandleImpl$$Lambda", "ProcessHandleImpl was initialised");
    }

    @Test
    void bridgeRenamedWithoutAsmRemapper() {
        noneLoaded("net.bytebuddy.jar.asm.commons.", "ASM's remapper loaded");
        noneLoaded("net.bytebuddy.jar.asm.signature.", "ASM's signature classes loaded");
    }

    @Test
    void processImplRewrittenWithoutAsm() {
        // CallSites reads and patches the class file itself: none of the ~30 ASM classes loads.
        noneLoaded("net.bytebuddy.", "ByteBuddy's ASM loaded");
    }

    @Test
    void noClassRetransformedAtStart() {
        // ProcessImpl and the reaper are loaded with the transformer registered and rewritten as they
        // are defined: no RedefineClasses (a VM operation at a safepoint) for a class not loaded before.
        List<String> redefined = lines.stream().filter(l -> l.contains("__VM_RedefineClasses__"))
                .collect(Collectors.toList());
        assertTrue(redefined.isEmpty(), "retransformed: " + redefined);
        assertTrue(classes.contains("java.lang.ProcessImpl"), "ProcessImpl was not loaded at the start");
    }

    @Test
    void jdkNativesBoundOnlyWhenUsed() {
        // Method handles on forkAndExec and waitForProcessExit0 spin LambdaForms: made at first use only.
        noneLoaded("io.vforkagent.core.launch.JdkLauncher$", "the JDK's natives were bound at start");
    }

    @Test
    void resourcesReadWithoutJarUrls() {
        // The agent's loader reads its own resources from the open jar: no jar: URL handler, which
        // opens the jar a second time.
        noneLoaded("sun.net.www.protocol.jar.JarURLConnection", "a jar: URL was opened");
        noneLoaded("sun.net.www.protocol.jar.URLJarFile", "the agent jar was opened a second time");
    }

    @Test
    void dispatchWrittenWithoutFileChannels() {
        noneLoaded("sun.nio.ch.FileChannelImpl", "NIO's file channels loaded");
    }

    @Test
    void everyJnaClassOfTheStartIsPreloaded() throws Exception {
        java.util.Set<String> listed = new java.util.HashSet<>(Files.readAllLines(
                Path.of("src/main/resources/io/vforkagent/core/launch/jna-preload.txt")));
        List<String> missing = classes.stream().filter(c -> c.startsWith("com.sun.jna.") && !listed.contains(c))
                .collect(Collectors.toList());
        assertTrue(missing.isEmpty(), "loaded by the start but not preloaded: " + missing);
    }
}
