package io.vforkagent.core.cli;

import io.vforkagent.core.Agent;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** {@code attach}, {@code detach} and {@code list}: the agent in JVMs that are already running. */
final class Attach {
    private Attach() {
    }

    /** The JVMs whose pid is {@code target} or whose main class or jar contains it. */
    static List<VirtualMachineDescriptor> find(String target) {
        List<VirtualMachineDescriptor> found = new ArrayList<>();
        String self = String.valueOf(ProcessHandle.current().pid());
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(self)) {
                continue;
            }
            if (d.id().equals(target) || !target.chars().allMatch(Character::isDigit) && d.displayName().contains(target)) {
                found.add(d);
            }
        }
        return found;
    }

    /** Loads the agent (or, when it runs already, hands it the options). Returns the exit code. */
    static int attach(String target, String options) {
        try {
            // Checked here first: a bad option is the operator's typo, not the target's business.
            io.vforkagent.core.Options.parse(options, new Properties());
        } catch (IllegalArgumentException e) {
            System.err.println("vfork-agent attach: " + e.getMessage() + "; nothing was attached");
            return 2;
        }
        String jar;
        try {
            jar = new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            System.err.println("vfork-agent attach: cannot locate the agent jar: " + e);
            return 1;
        }
        String pid = target;
        if (!target.chars().allMatch(Character::isDigit)) {
            List<VirtualMachineDescriptor> found = find(target);
            if (found.size() != 1) {
                System.err.println("vfork-agent attach: " + found.size() + " JVMs match '" + target + "'"
                        + (found.isEmpty() ? " (see: java -jar vfork-agent.jar list)" : ": " + describe(found)
                        + "; give a pid"));
                return 1;
            }
            pid = found.get(0).id();
        } else if (ProcessHandle.of(Long.parseLong(target)).isEmpty()) {
            System.err.println("vfork-agent attach: no process with pid " + target);
            return 1;
        }
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException e) {
            System.err.println("vfork-agent attach: cannot attach to " + pid + ": " + e.getMessage()
                    + " (not a JVM, started with -XX:+DisableAttachMechanism, or owned by another user)");
            return 1;
        } catch (IOException e) {
            System.err.println("vfork-agent attach: cannot attach to " + pid + ": " + e
                    + " (a JVM of another user or another container cannot be attached to)");
            return 1;
        }
        try {
            String before = vm.getSystemProperties().getProperty(Agent.STATUS_PROPERTY);
            vm.loadAgent(jar, options);
            Properties after = vm.getSystemProperties();
            String status = after.getProperty(Agent.STATUS_PROPERTY);
            // The agent finishes its start on a thread of its own (the native library): wait for it.
            for (int i = 0; i < 200 && status != null && status.startsWith("starting"); i++) {
                Thread.sleep(50);
                after = vm.getSystemProperties();
                status = after.getProperty(Agent.STATUS_PROPERTY);
            }
            if (status == null || status.startsWith("inactive")) {
                System.err.println("vfork-agent attach: the agent did not start in " + pid + ": "
                        + (status == null ? "no status (its stderr says why)" : status));
                return 1;
            }
            // Only a running agent is reconfigured; one that declined before was installed afresh.
            boolean running = before != null && !before.startsWith("inactive");
            String last = after.getProperty(Agent.STATUS_PROPERTY + ".last");
            System.out.println((running ? "reconfigured " + pid + ": " : "attached to " + pid + ": ")
                    + (running && last != null ? last + "; " : "") + status);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            System.err.println("vfork-agent attach: loading the agent into " + pid + " failed: " + e);
            return 1;
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target went away
            }
        }
    }

    static int list() {
        String self = String.valueOf(ProcessHandle.current().pid());
        System.out.printf("%-8s %-60s %s%n", "PID", "MAIN", "VFORK-AGENT");
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(self)) {
                continue;
            }
            String status;
            try {
                VirtualMachine vm = VirtualMachine.attach(d);
                try {
                    status = vm.getSystemProperties().getProperty(Agent.STATUS_PROPERTY, "not loaded");
                } finally {
                    vm.detach();
                }
            } catch (Exception e) {
                status = "unknown (" + e.getMessage() + ")";
            }
            System.out.printf("%-8s %-60s %s%n", d.id(), d.displayName().isEmpty() ? "?" : d.displayName(), status);
        }
        return 0;
    }

    private static String describe(List<VirtualMachineDescriptor> ds) {
        StringBuilder sb = new StringBuilder();
        for (VirtualMachineDescriptor d : ds) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d.id()).append(' ').append(d.displayName());
        }
        return sb.toString();
    }
}
