package io.vforkagent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Spawns while another thread removes and re-creates the working directory, and while another
 * replaces the program (by rename): each spawn must either work or throw the JDK's IOException,
 * and nothing may leak. Usage: {@code RaceApp <work dir> <spawns>}.
 * Prints {@code RACE dirOk=… dirFailed=… progV1=… progV2=… progFailed=… bad=… fdsBefore=… fdsAfter=…}.
 */
public final class RaceApp {
    private RaceApp() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of(args[0]));
        int spawns = Integer.parseInt(args[1]);
        Path dir = work.resolve("flapping-dir");
        Path prog = work.resolve("replaced.sh");
        write(prog, "v1");
        Descriptors.warmUp();
        int fdsBefore = Descriptors.count();
        String before = Descriptors.describe();
        AtomicBoolean stop = new AtomicBoolean();
        Thread flapper = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Files.createDirectories(dir);
                    Thread.onSpinWait();
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // the race is the point
                }
            }
        });
        Thread replacer = new Thread(() -> {
            int v = 0;
            while (!stop.get()) {
                try {
                    write(prog, (v++ & 1) == 0 ? "v2" : "v1");
                } catch (IOException ignored) {
                    // the race is the point
                }
            }
        });
        flapper.start();
        replacer.start();
        int dirOk = 0;
        int dirFailed = 0;
        int v1 = 0;
        int v2 = 0;
        int progFailed = 0;
        int bad = 0;
        for (int i = 0; i < spawns; i++) {
            try {
                // Once started, what pwd says of a directory removed under it is pwd's business
                // (an error, or a path marked deleted); the launcher's part is that it started.
                Process p = new ProcessBuilder("pwd").directory(dir.toFile()).start();
                p.getInputStream().readAllBytes();
                p.waitFor();
                dirOk++;
            } catch (IOException e) {
                String msg = e.getMessage();
                if (msg.contains("(in directory \"" + dir + "\")")
                        && (msg.contains("error=2, ") || msg.contains("error: 2 ("))) {
                    dirFailed++;
                } else {
                    bad++;
                    System.err.println("BAD dir: " + e);
                }
            }
            try {
                Process p = new ProcessBuilder(prog.toString()).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor();
                if (out.equals("v1")) {
                    v1++;
                } else if (out.equals("v2")) {
                    v2++;
                } else {
                    bad++;
                    System.err.println("BAD prog output: " + out);
                }
            } catch (IOException e) {
                // The rename is atomic, so the name always exists; but a child forked meanwhile by
                // the writer's JVM holds the new file open for writing until its own exec, and
                // exec refuses a file open for writing (ETXTBSY), with the JDK's launcher too.
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("error(?:=|: )(\\d+)").matcher(e.getMessage());
                if (e.getMessage().startsWith("Cannot run program \"" + prog + "\": ") && m.find()
                        && (m.group(1).equals("26") || m.group(1).equals("2"))) {
                    progFailed++;
                    System.out.println("PROG-FAILED " + e.getMessage());
                } else {
                    bad++;
                    System.err.println("BAD prog: " + e);
                }
            }
        }
        stop.set(true);
        flapper.join();
        replacer.join();
        int fdsAfter = Descriptors.settled(fdsBefore);
        System.out.printf("RACE dirOk=%d dirFailed=%d progV1=%d progV2=%d progFailed=%d bad=%d fdsBefore=%d fdsAfter=%d%n",
                dirOk, dirFailed, v1, v2, progFailed, bad, fdsBefore, fdsAfter);
        if (fdsAfter != fdsBefore) {
            System.out.println("FDS before " + before + "\nFDS after  " + Descriptors.describe());
        }
        SpawnApp.printAgent(10);
    }

    /** Replaces the program atomically: a new file renamed over the old one. */
    private static void write(Path prog, String version) throws IOException {
        Path tmp = prog.resolveSibling(prog.getFileName() + "." + version + ".tmp");
        Files.writeString(tmp, "#!/bin/sh\necho " + version + "\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, prog, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
