package io.vforkagent.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's children get the signal state of the JDK's default launcher (POSIX_SPAWN) whatever
 * {@code jdk.lang.Process.launchMechanism} says: under FORK or VFORK the JDK's own children get
 * the JVM's dispositions of glibc's signals 32 and 33 instead of "ignored", and a blocked SIGQUIT
 * with VFORK (any JDK) or on JDK 17 to 19. A deliberate difference: the mechanism only ever chose
 * how to start the child.
 */
class SignalsIT {
    private final Path scratch = Path.of("target", "signals").toAbsolutePath();

    @Test
    void everyMechanismGetsTheDefaultLaunchersSignalState() throws Exception {
        String jdkDefault = sig(run(List.of()));
        long ignored = Long.parseLong(jdkDefault.replaceAll(".*SigIgn=(\\p{XDigit}+).*", "$1"), 16);
        assertEquals(3L << 31, ignored & 3L << 31, "the JDK's default launcher ignores 32 and 33: " + jdkDefault);
        for (String mechanism : List.of("FORK", "VFORK")) {
            String option = "-Djdk.lang.Process.launchMechanism=" + mechanism;
            System.out.println("JDK " + mechanism + ": " + sig(run(List.of(option))) + ", default: " + jdkDefault);
            AgentJvm.Result agent = run(List.of(option, AgentJvm.javaagent("")));
            String expected = Runtime.version().feature() < 20
                    ? jdkDefault.replace("SigBlk=0000000000000004", "SigBlk=0000000000000000") : jdkDefault;
            assertEquals(expected, sig(agent), mechanism);
            assertTrue(agent.stdout.contains("AGENT launcher=vfork vfork=1 jdk=0 "), agent::toString);
        }
    }

    private AgentJvm.Result run(List<String> options) throws Exception {
        AgentJvm.Result r = AgentJvm.run(options, SignalStateApp.class.getName(), List.of(), Map.of(), scratch, 60);
        assertEquals(0, r.exit, r::toString);
        return r;
    }

    private static String sig(AgentJvm.Result r) {
        return r.stdout.lines().filter(l -> l.startsWith("SIG ")).findFirst().orElseThrow(() -> new AssertionError(r));
    }
}
