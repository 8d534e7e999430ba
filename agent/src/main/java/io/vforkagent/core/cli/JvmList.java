package io.vforkagent.core.cli;

import io.vforkagent.core.AgentStatus;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code list [--json] [--attach] [--timeout=S] [pid|main-class-part...]}: the local JVMs, which JDK each runs, whether it
 * runs the agent and whether its JDK changed on disk since it started, found without attaching.
 * With {@code --attach} the agent's status is also asked of the JVMs of the caller's own user (never
 * another user's, root or not), each attach bounded in time.
 */
final class JvmList {
    private JvmList() {
    }

    static int run(String[] args) {
        boolean json = false;
        boolean attach = false;
        long timeoutMs = 5000;
        List<String> only = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--attach")) {
                attach = true;
            } else if (a.startsWith("--timeout=")) {
                timeoutMs = Attach.seconds(a);
                if (timeoutMs < 0) {
                    System.err.println("vfork-agent list: " + a + " is not a number of seconds > 0");
                    return 2;
                }
            } else if (a.startsWith("-")) {
                System.err.println("vfork-agent list: unknown option '" + a + "' (known: --json, --attach, --timeout=S,"
                        + " then pids or parts of main class names to list only those)");
                return 2;
            } else {
                only.add(a);
            }
        }
        List<LocalJvms.Jvm> jvms = LocalJvms.scan();
        if (!only.isEmpty()) {
            jvms.removeIf(j -> only.stream().noneMatch(o -> o.chars().allMatch(Character::isDigit)
                    ? o.equals(String.valueOf(j.pid)) : j.main.contains(o)));
        }
        if (attach) {
            int ownUid = Attach.ownUid();
            for (LocalJvms.Jvm j : jvms) {
                j.status = Attach.status(j, ownUid, timeoutMs);
            }
        }
        System.out.print(json ? json(jvms) : table(jvms));
        return 0;
    }

    static String table(List<LocalJvms.Jvm> jvms) {
        boolean status = jvms.stream().anyMatch(j -> j.status != null);
        List<String[]> rows = new ArrayList<>();
        rows.add(status ? new String[] {"PID", "USER", "JDK", "AGENT", "JDK ON DISK", "MAIN", "STATUS (attached)"}
                : new String[] {"PID", "USER", "JDK", "AGENT", "JDK ON DISK", "MAIN"});
        for (LocalJvms.Jvm j : jvms) {
            String main = LocalJvms.printable(j.main);
            String[] row = {String.valueOf(j.pid), LocalJvms.printable(j.user),
                    j.version.isEmpty() ? "?" : LocalJvms.printable(j.version), j.agent(), j.jdkOnDisk(),
                    main.length() > 60 ? "..." + main.substring(main.length() - 57) : main};
            if (status) {
                row = java.util.Arrays.copyOf(row, 7);
                row[6] = j.status == null ? "" : LocalJvms.printable(j.status);
            }
            rows.add(row);
        }
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(c == columns - 1 ? r[c] : pad(r[c], width[c] + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        if (jvms.isEmpty()) {
            sb.append("(no JVM found)\n");
        }
        int unreadable = 0;
        for (LocalJvms.Jvm j : jvms) {
            if (j.disk != null && j.disk.changed()) {
                sb.append('\n').append(notes(j));
            } else if (!j.mapsReadable || !j.unreadable.isEmpty()) {
                unreadable++;
            }
        }
        if (unreadable > 0) {
            sb.append('\n').append(unreadable).append(unreadable == 1 ? " JVM" : " JVMs")
                    .append(" could not be read in full (another user's: run as root or as that user);")
                    .append(" shown as unknown/?\n");
        }
        return sb.toString();
    }

    /** What changed under one JVM, what it means for its spawns, and the fix. */
    static String notes(LocalJvms.Jvm j) {
        StringBuilder sb = new StringBuilder();
        sb.append(j.pid).append(" (").append(LocalJvms.printable(j.main)).append("): its JDK changed on disk since it")
                .append(" started").append(j.startMillis > 0 ? " " + JdkOnDisk.time(j.startMillis) : "").append(":\n");
        for (String change : j.disk.changes) {
            sb.append("    ").append(LocalJvms.printable(change)).append('\n');
        }
        sb.append("  ").append(consequence(j)).append('\n');
        String fix = fix(j);
        if (fix != null) {
            sb.append("  fix, no restart: ").append(fix).append('\n');
        }
        return sb.toString();
    }

    static String consequence(LocalJvms.Jvm j) {
        if (!j.disk.helperChanged) {
            return "its JDK launcher's helper is unchanged: spawns work; restart it on the new JDK when convenient";
        }
        if (!j.usesHelper()) {
            return "it runs with -Djdk.lang.Process.launchMechanism=" + LocalJvms.printable(j.mechanism)
                    + ", which does not use jspawnhelper: spawns work; restart it on the new JDK when convenient";
        }
        if (j.healed()) {
            return "it spawns through vfork-agent's launcher (launcher=vfork), which does not use jspawnhelper:"
                    + " spawns work; restart it on the new JDK when convenient";
        }
        if ("jdk".equals(AgentStatus.launcher(j.status))) {
            return "it runs vfork-agent in record-only mode (launcher=jdk): its spawns fail: " + failure(j.version);
        }
        if (j.mapsReadable && j.agentLoaded) {
            return "it runs vfork-agent: spawns through its launcher (launcher=vfork) do not use jspawnhelper;"
                    + " in record-only mode (launcher=jdk) they fail: " + failure(j.version);
        }
        return "its spawns through the JDK launcher fail: " + failure(j.version);
    }

    /** The text of the IOException a JDK of that version throws when its helper refuses it. */
    static String failure(String version) {
        int end = 0;
        while (end < version.length() && Character.isDigit(version.charAt(end))) {
            end++;
        }
        int feature = end == 0 ? 0 : Integer.parseInt(version.substring(0, Math.min(end, 4)));
        return "Cannot run program \"...\": " + (feature >= 25
                ? "Failed to exec spawn helper: pid: N, exit code: 1, error: 0 (none)"
                : "error=0, Failed to exec spawn helper: pid: N, exit value: 1");
    }

    /** The command that heals it, or null when its spawns do not need healing. */
    static String fix(LocalJvms.Jvm j) {
        if (j.disk == null || !j.jdkLauncherBroken() || j.healed()) {
            return null;
        }
        return Attach.command() + " attach " + j.pid + (j.mapsReadable && j.agentLoaded ? " launcher=vfork" : "");
    }

    private static String json(List<LocalJvms.Jvm> jvms) {
        StringBuilder sb = new StringBuilder("[");
        for (LocalJvms.Jvm j : jvms) {
            sb.append(sb.length() == 1 ? "\n" : ",\n");
            sb.append("  {\"pid\": ").append(j.pid)
                    .append(", \"user\": ").append(quote(j.user))
                    .append(", \"uid\": ").append(j.uid)
                    .append(", \"main\": ").append(quote(j.main))
                    .append(", \"jdk\": ").append(quote(j.version))
                    .append(", \"javaHome\": ").append(quote(j.home))
                    .append(", \"started\": ").append(j.startMillis > 0 ? quote(JdkOnDisk.time(j.startMillis)) : "null")
                    .append(", \"agent\": ").append(quote(j.agent()))
                    .append(", \"jdkOnDisk\": ").append(quote(j.jdkOnDisk()))
                    .append(", \"changes\": [");
            if (j.disk != null) {
                for (int i = 0; i < j.disk.changes.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(quote(j.disk.changes.get(i)));
                }
            }
            String fix = fix(j);
            sb.append("], \"jdkLauncherBroken\": ").append(j.jdkLauncherBroken())
                    .append(", \"fix\": ").append(fix == null ? "null" : quote(fix))
                    .append(", \"status\": ").append(j.status == null ? "null" : quote(j.status))
                    .append(", \"unreadable\": ").append(quote(j.unreadable)).append('}');
        }
        return sb.append(sb.length() == 1 ? "]\n" : "\n]\n").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f && c < 0xa0) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
