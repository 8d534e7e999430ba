package io.vforkagent.it;

import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;

/**
 * An application that picks its own {@code java.util.logging} manager in {@code main}, as JBoss
 * LogManager users do: it must get it, however long the agent has been running by then. Waits
 * until the agent has finished starting (and a little more), picks the manager, spawns, then
 * prints the MBean.
 */
public final class LogManagerApp {
    private LogManagerApp() {
    }

    /** The application's own manager. */
    public static final class AppLogManager extends LogManager {
    }

    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!String.valueOf(System.getProperty("vfork-agent.status")).startsWith("active")
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(300);
        System.setProperty("java.util.logging.manager", AppLogManager.class.getName());
        System.out.println("MANAGER " + LogManager.getLogManager().getClass().getName());
        Process p = new ProcessBuilder("/bin/true").start();
        System.out.println("EXIT " + p.waitFor());
        SpawnApp.printAgent(20);
    }
}
