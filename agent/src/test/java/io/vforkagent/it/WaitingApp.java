package io.vforkagent.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * A long-running application for the attach tests: spawns two children and starts one that
 * waits for a line (so it lives across an attach), says READY, then obeys lines on stdin:
 * {@code spawn N}, {@code agent} (prints the MBean), {@code finish-early} (lets that child exit 7
 * and prints its exit code), {@code record-start}, {@code burn} (a child that uses CPU and 300 MB),
 * {@code record-dump FILE}, {@code quit}.
 */
public final class WaitingApp {
    private WaitingApp() {
    }

    public static void main(String[] args) throws Exception {
        spawn(2);
        Process early = new ProcessBuilder("/bin/sh", "-c", "read x; exit 7").start();
        jdk.jfr.Recording recording = null;
        System.out.println("READY " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.startsWith("spawn ")) {
                spawn(Integer.parseInt(line.substring(6)));
                System.out.println("SPAWNED");
            } else if (line.equals("agent")) {
                SpawnApp.printAgent(10);
            } else if (line.equals("finish-early")) {
                early.getOutputStream().write('\n');
                early.getOutputStream().close();
                System.out.println("EARLY-EXIT " + early.waitFor());
            } else if (line.equals("record-start")) {
                recording = new jdk.jfr.Recording();
                recording.enable("vforkagent.ProcessExit");
                recording.start();
                System.out.println("RECORDING");
            } else if (line.equals("burn")) {
                Process burner = new ProcessBuilder("/bin/sh", "-c", "x=$(head -c 300000000 /dev/zero | tr '\\0' a); "
                        + "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").start();
                System.out.println("BURNED pid=" + burner.pid() + " exit=" + burner.waitFor());
            } else if (line.startsWith("record-dump ")) {
                recording.dump(java.nio.file.Path.of(line.substring(12)));
                recording.close();
                System.out.println("DUMPED");
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
