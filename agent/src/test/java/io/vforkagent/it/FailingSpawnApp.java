package io.vforkagent.it;

import java.io.IOException;

/** Spawns a program that does not exist, prints the JDK's message, then what the agent's MBean says. */
public final class FailingSpawnApp {
    private FailingSpawnApp() {
    }

    public static void main(String[] args) throws Exception {
        try {
            new ProcessBuilder("/nonexistent/vfa-program").start();
            System.out.println("SPAWNED?");
        } catch (IOException e) {
            System.out.println("FAILED " + e.getMessage());
        }
        System.out.println("STATUS " + System.getProperty("vfork-agent.status"));
        SpawnApp.printAgent(10);
    }
}
