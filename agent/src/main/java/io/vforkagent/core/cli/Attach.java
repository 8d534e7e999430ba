package io.vforkagent.core.cli;

import io.vforkagent.core.Agent;
import io.vforkagent.core.AgentStatus;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** {@code attach} and {@code detach}: the agent in JVMs that are already running. */
final class Attach {
    private Attach() {
    }

    /** The JVMs whose pid is {@code target} or whose main class or jar contains it; found without attaching. */
    static List<LocalJvms.Jvm> find(String target) {
        List<LocalJvms.Jvm> found = new ArrayList<>();
        boolean pid = target.chars().allMatch(Character::isDigit);
        for (LocalJvms.Jvm j : LocalJvms.scan()) {
            if (pid ? String.valueOf(j.pid).equals(target) : j.main.contains(target)) {
                found.add(j);
            }
        }
        return found;
    }

    /** "--timeout=S" as milliseconds; -1 when S is not a positive number of seconds. */
    static long seconds(String flag) {
        try {
            double s = Double.parseDouble(flag.substring(flag.indexOf('=') + 1));
            return s > 0 && s < 86_400 ? (long) (s * 1000) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The uid this command runs as. */
    static int ownUid() {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (l.startsWith("Uid:")) {
                    return Integer.parseInt(l.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (Exception e) {
            // unknown: no JVM counts as this user's
        }
        return -2;
    }

    /** How to run this tool: java -jar with the path of this jar. */
    static String command() {
        try {
            return "java -jar " + new File(Agent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception | Error e) {
            return "java -jar vfork-agent.jar";
        }
    }

    /** Runs {@code work} on a thread of its own, abandoned (a daemon) when it takes longer than {@code ms}. */
    static <T> T timed(long ms, java.util.concurrent.Callable<T> work) throws Exception {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work);
        Thread t = new Thread(task, "vfork-agent-attach");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof Exception ? (Exception) cause : new Exception(cause);
        } finally {
            task.cancel(true);
        }
    }

    /**
     * The agent's status in one JVM, by attaching, for {@code list --attach}: only JVMs of this
     * user are attached to (root included: a JVM of another user is never attached to unasked).
     */
    static String status(LocalJvms.Jvm j, int ownUid, long timeoutMs) {
        if (j.uid != ownUid) {
            return "not attached: JVM of " + (j.uid < 0 ? "an unknown user" : "user " + j.user)
                    + " (attach <pid> to it explicitly)";
        }
        try {
            return timed(timeoutMs, () -> {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(j.pid));
                try {
                    return vm.getSystemProperties().getProperty(AgentStatus.PROPERTY, "not loaded");
                } finally {
                    vm.detach();
                }
            });
        } catch (java.util.concurrent.TimeoutException e) {
            return "attach timed out after " + timeoutMs / 1000.0 + " s";
        } catch (Exception e) {
            return "not attached: " + e.getMessage();
        }
    }

    /** Loads the agent (or, when it runs already, hands it the options). Returns the exit code. */
    static int attach(String target, String options, long timeoutMs) {
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
        LocalJvms.Jvm jvm;
        if (!target.chars().allMatch(Character::isDigit)) {
            List<LocalJvms.Jvm> found = find(target);
            if (found.size() != 1) {
                System.err.println("vfork-agent attach: " + found.size() + " JVMs match '" + target + "'"
                        + (found.isEmpty() ? " (see: java -jar vfork-agent.jar list)" : ": " + describe(found)
                        + "; give a pid"));
                return 1;
            }
            jvm = found.get(0);
            pid = String.valueOf(jvm.pid);
        } else if (ProcessHandle.of(Long.parseLong(target)).isEmpty()) {
            System.err.println("vfork-agent attach: no process with pid " + target);
            return 1;
        } else {
            jvm = LocalJvms.inspect(Long.parseLong(target));
            if (jvm == null && isNotJvm(target)) {
                // The JDK's attach would signal it (SIGQUIT), which ends most programs that are not JVMs.
                System.err.println("vfork-agent attach: cannot attach to " + pid + ": not a JVM (no libjvm.so in"
                        + " /proc/" + pid + "/maps); nothing was sent to it");
                return 1;
            }
        }
        options = healing(jvm, options);
        String id = pid;
        String agentOptions = options;
        try {
            String[] outcome = timed(timeoutMs, () -> load(id, jar, agentOptions));
            (outcome[0].equals("out") ? System.out : System.err).println(outcome[1]);
            return outcome[0].equals("out") ? 0 : 1;
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("vfork-agent attach: " + pid + " did not answer within " + timeoutMs / 1000.0
                    + " s (a hung JVM, or not a JVM behind its attach socket); whether the agent loaded is unknown");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            System.err.println("vfork-agent attach: " + pid + ": " + e);
            return 1;
        }
    }

    /** Known not to be a JVM: its memory map is readable and holds no libjvm.so. */
    private static boolean isNotJvm(String pid) {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", pid, "maps"),
                    java.nio.charset.StandardCharsets.ISO_8859_1).stream().noneMatch(l -> l.contains("/libjvm.so"));
        } catch (IOException | RuntimeException e) {
            return false; // not ours to read: the JDK's attach says what it can
        }
    }

    /**
     * A JVM whose JDK changed on disk gets the agent with as little as possible of the JDK now on
     * disk loaded into it: unless asked for, no MBean, as registering it would load that JDK's
     * management libraries into a JVM of another build. Says what it found either way.
     */
    private static String healing(LocalJvms.Jvm jvm, String options) {
        if (jvm == null || jvm.disk == null || !jvm.disk.changed()) {
            return options;
        }
        System.out.println("note: the JDK of " + jvm.pid + " changed on disk since it started: "
                + LocalJvms.printable(String.join("; ", jvm.disk.changes)));
        if (io.vforkagent.core.Options.parse(options, new Properties()).launcher().equals("jdk") && jvm.jdkLauncherBroken()) {
            System.out.println("warning: with launcher=jdk its spawns go through the JDK launcher, whose helper changed"
                    + " on disk: they will fail (Failed to exec spawn helper)");
        }
        boolean management = jvm.maps != null && jvm.maps.stream().anyMatch(l -> l.contains("/libmanagement.so"));
        if (jvm.mapsReadable && !jvm.agentLoaded && !management
                && !io.vforkagent.core.Options.parse(options, new Properties()).given().contains("jmx")) {
            System.out.println("note: attaching with jmx=false: the MBean would load lib/libmanagement.so of the"
                    + " JDK now on disk into it (give jmx=true to have it anyway)");
            return options.isBlank() ? "jmx=false" : options + ",jmx=false";
        }
        return options;
    }

    /** The attach conversation: {"out"|"err", the line to print}. */
    private static String[] load(String pid, String jar, String options) throws Exception {
        VirtualMachine vm;
        try {
            vm = VirtualMachine.attach(pid);
        } catch (AttachNotSupportedException e) {
            return new String[] {"err", "vfork-agent attach: cannot attach to " + pid + ": " + e.getMessage()
                    + " (not a JVM, started with -XX:+DisableAttachMechanism, or owned by another user)"};
        } catch (IOException e) {
            return new String[] {"err", "vfork-agent attach: cannot attach to " + pid + ": " + e
                    + " (a JVM of another user or another container cannot be attached to)"};
        }
        try {
            String before = vm.getSystemProperties().getProperty(AgentStatus.PROPERTY);
            vm.loadAgent(jar, options);
            Properties after = vm.getSystemProperties();
            String status = after.getProperty(AgentStatus.PROPERTY);
            // The agent finishes its start on a thread of its own (the native library): wait for it.
            for (int i = 0; i < 200 && AgentStatus.isStarting(status); i++) {
                Thread.sleep(50);
                after = vm.getSystemProperties();
                status = after.getProperty(AgentStatus.PROPERTY);
            }
            if (status == null || AgentStatus.isInactive(status)) {
                return new String[] {"err", "vfork-agent attach: the agent did not start in " + pid + ": "
                        + (status == null ? "no status (its stderr says why)" : status)};
            }
            // Only a running agent is reconfigured; one that declined before was installed afresh.
            boolean running = before != null && !AgentStatus.isInactive(before);
            String last = after.getProperty(AgentStatus.LAST_PROPERTY);
            return new String[] {"out", (running ? "reconfigured " + pid + ": " : "attached to " + pid + ": ")
                    + (running && last != null ? last + "; " : "") + status};
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            return new String[] {"err", "vfork-agent attach: loading the agent into " + pid + " failed: " + e};
        } finally {
            try {
                vm.detach();
            } catch (IOException ignored) {
                // the target went away
            }
        }
    }

    private static String describe(List<LocalJvms.Jvm> jvms) {
        StringBuilder sb = new StringBuilder();
        for (LocalJvms.Jvm j : jvms) {
            sb.append(sb.length() == 0 ? "" : ", ").append(j.pid).append(' ').append(LocalJvms.printable(j.main));
        }
        return sb.toString();
    }
}
