package io.vforkagent.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Spawns while the agent's library could not load (its directory was full), then frees the space
 * (deletes the file named by the argument) and spawns until the agent says it serves with its
 * own launcher. Prints the status at each stage.
 */
public final class RetryApp {
    private RetryApp() {
    }

    public static void main(String[] args) throws Exception {
        spawn();
        System.out.println("BEFORE " + System.getProperty("vfork-agent.status"));
        Files.delete(Path.of(args[0]));
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() < deadline && !System.getProperty("vfork-agent.status").contains("launcher=vfork")) {
            spawn();
            Thread.sleep(100);
        }
        System.out.println("AFTER " + System.getProperty("vfork-agent.status"));
        for (int i = 0; i < 3; i++) {
            spawn();
        }
        SpawnApp.printAgent(10);
    }

    private static void spawn() throws Exception {
        Process p = new ProcessBuilder("/bin/echo", "x").start();
        if (!new String(p.getInputStream().readAllBytes()).equals("x\n") || p.waitFor() != 0) {
            throw new AssertionError("bad spawn");
        }
    }
}
