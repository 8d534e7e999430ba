package io.vforkagent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A long-running application for {@link HealIT}: says READY, then obeys lines on stdin:
 * {@code spawn} (runs {@code /bin/echo healed} and prints {@code SPAWN ok} or
 * {@code SPAWN failed <the exception's message, newlines as \n>}), {@code record-start},
 * {@code record-dump FILE}, {@code quit}. Uses nothing but what a JVM has loaded at its start:
 * it must go on running after its JDK is replaced on disk.
 */
public final class HealApp {
    private HealApp() {
    }

    public static void main(String[] args) throws Exception {
        jdk.jfr.Recording recording = null;
        System.out.println("READY " + ProcessHandle.current().pid());
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("spawn")) {
                try {
                    Process p = new ProcessBuilder("/bin/echo", "healed").start();
                    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                    int exit = p.waitFor();
                    System.out.println(out.equals("healed") && exit == 0 ? "SPAWN ok" : "SPAWN bad " + out + " " + exit);
                } catch (IOException e) {
                    System.out.println("SPAWN failed " + e.getMessage().replace("\n", "\\n"));
                }
            } else if (line.equals("record-start")) {
                recording = new jdk.jfr.Recording();
                recording.enable("vforkagent.SpawnFailure");
                recording.start();
                System.out.println("RECORDING");
            } else if (line.startsWith("record-dump ")) {
                recording.dump(java.nio.file.Path.of(line.substring(12)));
                System.out.println("DUMPED");
            } else if (line.equals("quit")) {
                return;
            }
        }
    }
}
