package io.vforkagent.it;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A small application: spawns {@code /bin/echo} a few times, then prints what the agent's MBean
 * says (or that there is none). Usage: {@code SpawnApp <spawns> <seconds to wait for the MBean>}.
 */
public final class SpawnApp {
    private SpawnApp() {
    }

    public static void main(String[] args) throws Exception {
        int spawns = Integer.parseInt(args[0]);
        int wait = Integer.parseInt(args[1]);
        for (int i = 0; i < spawns; i++) {
            Process p = new ProcessBuilder("/bin/echo", "spawn-" + i).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!out.equals("spawn-" + i) || p.waitFor() != 0) {
                throw new AssertionError("bad spawn " + i + ": " + out);
            }
        }
        System.out.println("SPAWNS-OK " + spawns);
        printAgent(wait);
    }

    static void printAgent(int waitSeconds) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.vforkagent:type=Agent");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (!server.isRegistered(name) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!server.isRegistered(name)) {
            System.out.println("AGENT none");
            return;
        }
        System.out.println("AGENT launcher=" + server.getAttribute(name, "Launcher")
                + " vfork=" + server.getAttribute(name, "VforkSpawns")
                + " jdk=" + server.getAttribute(name, "JdkSpawns")
                + " failures=" + server.getAttribute(name, "Failures")
                + " reason=" + server.getAttribute(name, "FallbackReason")
                + " live=" + server.getAttribute(name, "LiveChildren")
                + " p50us=" + server.getAttribute(name, "LatencyP50Micros")
                + " maxus=" + server.getAttribute(name, "LatencyMaxMicros")
                + " exits=" + server.getAttribute(name, "Exits")
                + " byErrno=" + byErrno((TabularData) server.getAttribute(name, "FailuresByErrno")));
    }

    /** An MXBean's Map attribute arrives as rows of (key, value). */
    private static Map<String, Long> byErrno(TabularData table) {
        Map<String, Long> m = new TreeMap<>();
        for (Object row : table.values()) {
            CompositeData c = (CompositeData) row;
            m.put((String) c.get("key"), (Long) c.get("value"));
        }
        return m;
    }
}
