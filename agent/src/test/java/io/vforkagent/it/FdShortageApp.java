package io.vforkagent.it;

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs out of file descriptors, spawns (and fails) while out, then frees them and uses the JDK's
 * own JMX: a shortage that has passed must leave nothing broken. Then spawns until the agent's
 * MBean is there, and prints it.
 */
public final class FdShortageApp {
    private FdShortageApp() {
    }

    public static void main(String[] args) throws Exception {
        // The agent first has its library (it starts alongside main): this is about the first spawn.
        long ready = System.nanoTime() + 20_000_000_000L;
        while (!String.valueOf(System.getProperty("vfork-agent.status")).startsWith("active")
                && System.nanoTime() < ready) {
            Thread.sleep(10);
        }
        List<FileInputStream> held = new ArrayList<>();
        try {
            while (true) {
                held.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException out) {
            System.out.println("EXHAUSTED after " + held.size());
        }
        try {
            new ProcessBuilder("/bin/true").start().waitFor();
            System.out.println("SPAWN-WHILE-OUT ok");
        } catch (IOException e) {
            System.out.println("SPAWN-WHILE-OUT failed");
        }
        Thread.sleep(1000); // whatever the spawn set off runs while nothing is free
        for (FileInputStream in : held) {
            in.close();
        }
        try {
            System.out.println("JMX " + ManagementFactory.getRuntimeMXBean().getVmName().isEmpty());
        } catch (Throwable t) {
            System.out.println("JMX-BROKEN " + t);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        javax.management.ObjectName name = new javax.management.ObjectName("io.vforkagent:type=Agent");
        while (System.nanoTime() < deadline && !ManagementFactory.getPlatformMBeanServer().isRegistered(name)) {
            new ProcessBuilder("/bin/true").start().waitFor();
            Thread.sleep(100);
        }
        SpawnApp.printAgent(1);
    }
}
