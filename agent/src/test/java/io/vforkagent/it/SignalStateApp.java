package io.vforkagent.it;

import java.nio.charset.StandardCharsets;

/** Prints a child's signal mask and ignored set ({@code SIG SigBlk=... SigIgn=...}), then the agent's counters. */
public final class SignalStateApp {
    private SignalStateApp() {
    }

    public static void main(String[] args) throws Exception {
        Process p = new ProcessBuilder("grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("SIG " + out.trim().replaceAll(":\\s+", "=").replace('\n', ' ') + " exit=" + p.waitFor());
        boolean agent = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-javaagent:"));
        SpawnApp.printAgent(agent ? 10 : 0);
    }
}
