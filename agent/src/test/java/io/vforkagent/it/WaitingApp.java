package io.vforkagent.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * A long-running application for the attach tests: spawns two children, says READY, then obeys
 * lines on stdin: {@code spawn N}, {@code agent} (prints the MBean), {@code quit}.
 */
public final class WaitingApp {
    private WaitingApp() {
    }

    public static void main(String[] args) throws Exception {
        spawn(2);
        System.out.println("READY " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("spawn ")) {
                spawn(Integer.parseInt(line.substring(6)));
                System.out.println("SPAWNED");
            } else if (line.equals("agent")) {
                SpawnApp.printAgent(10);
            } else if (line.equals("quit")) {
                return;
            }
        }
    }

    private static void spawn(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Process p = new ProcessBuilder("/bin/echo", "w" + i).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new AssertionError("echo failed");
            }
        }
    }
}
