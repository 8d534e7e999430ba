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
        classes = Files.readAllLines(log).stream().map(l -> l.split(" ")[0]).collect(Collectors.toList());
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
}
