package io.vforkagent.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Load, sized for CI: see {@link StressApp}. The longer soak is {@code examples/soak.sh}, the same application. */
class StressIT {
    @Test
    void nothingLostUnderLoad() throws Exception {
        Path scratch = Path.of("target", "stress").toAbsolutePath();
        AgentJvm.Result r = AgentJvm.run(List.of(AgentJvm.javaagent(""), "-Xmx256m"), StressApp.class.getName(),
                List.of("8", "200", scratch.resolve("work").toString()), Map.of(), scratch, 300);
        assertEquals(0, r.exit, r::toString);
        Matcher m = Pattern.compile("STRESS spawns=(\\d+) failures=(\\d+) bad=(\\d+) seconds=([\\d.]+) fdsBefore=(\\d+) "
                + "fdsAfter=(\\d+) zombies=(\\d+)").matcher(r.stdout);
        assertTrue(m.find(), r::toString);
        System.out.println(m.group());
        assertEquals("0", m.group(3), "children with a wrong output or exit code:\n" + r.stderr);
        assertEquals(m.group(5), m.group(6), "descriptors before and after");
        assertEquals("0", m.group(7), "zombies");
        assertEquals(8 * 50, Integer.parseInt(m.group(2)), "every expected failure failed");
        int spawns = Integer.parseInt(m.group(1));
        assertTrue(spawns > 8 * 200, "spawns " + spawns);
        Matcher agent = Pattern.compile("AGENT launcher=vfork vfork=(\\d+) jdk=0 failures=(\\d+)").matcher(r.stdout);
        assertTrue(agent.find(), r::toString);
        assertTrue(Integer.parseInt(agent.group(1)) >= spawns, "every spawn went through the vfork launcher");
        assertTrue(r.stdout.contains(" byErrno={EACCES=200, ENOENT=200}"), "failures by errno\n" + r);
        assertTrue(r.stdout.contains("Full thread dump"), "SIGQUIT thread dumps were taken during the run");
    }
}
