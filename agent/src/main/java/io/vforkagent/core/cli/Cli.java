package io.vforkagent.core.cli;

import io.vforkagent.core.Agent;
import io.vforkagent.core.Options;
import io.vforkagent.core.report.HtmlReport;
import io.vforkagent.core.report.JsonReport;
import io.vforkagent.core.report.SpawnReport;
import io.vforkagent.core.report.TextReport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code java -jar vfork-agent.jar <command>}: exit 0 on success, 2 on a usage error, 1 on a failure. */
public final class Cli {
    static final String USAGE = "usage: java -jar vfork-agent.jar <command>\n"
            + "  report <recording.jfr> [--html FILE] [--json]   what a JFR recording says about spawning\n"
            + "  attach <pid|main-class-part> [name=value,...]    load the agent into a running JVM (again: change its options);\n"
            + "                                                   heals a JVM whose JDK was upgraded under it, no restart\n"
            + "  detach <pid|main-class-part>                     return that JVM to the JDK launcher (launcher=jdk)\n"
            + "  list [--json] [--attach] [pid|main-part...]      local JVMs: JDK, agent, whether their JDK changed on disk\n"
            + "                                                   (attaches to none; --attach: asks your own JVMs too)\n"
            + "  doctor [tmpdir=DIR] [pid]                        check this host and JDK, with a test spawn; and that JVM\n"
            + "  jfc                                              print the JFR settings that record every vfork-agent event\n"
            + "  options                                          the agent's options\n"
            + "  version | help\n"
            + "As an agent: java -javaagent:vfork-agent.jar[=name=value,...] ...";

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        String cmd = args.length == 0 ? "help" : args[0];
        try {
            switch (cmd) {
                case "version":
                    System.out.println("vfork-agent " + Agent.VERSION);
                    return 0;
                case "help":
                case "--help":
                case "-h":
                    System.out.println(USAGE);
                    return 0;
                case "options":
                    System.out.print(Options.table());
                    return 0;
                case "jfc":
                    try (InputStream in = Cli.class.getClassLoader().getResourceAsStream("vfork-agent.jfc")) {
                        System.out.print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                    return 0;
                case "report":
                    return report(args);
                case "attach":
                case "detach":
                    return attach(cmd, args);
                case "list":
                    return JvmList.run(args);
                case "doctor":
                    return Doctor.run(args);
                default:
                    System.err.println("vfork-agent: unknown command '" + cmd
                            + "' (known: report, attach, detach, list, doctor, jfc, options, version, help)");
                    return 2;
            }
        } catch (IOException e) {
            System.err.println("vfork-agent: " + e.getMessage());
            return 1;
        }
    }

    /** attach|detach [--timeout=S] <pid|main-class-part> [options]. */
    private static int attach(String cmd, String[] args) {
        long timeoutMs = 30_000;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].startsWith("--timeout=")) {
                timeoutMs = Attach.seconds(args[i]);
                if (timeoutMs < 0) {
                    System.err.println("vfork-agent " + cmd + ": " + args[i] + " is not a number of seconds > 0");
                    return 2;
                }
            } else {
                rest.add(args[i]);
            }
        }
        if (rest.isEmpty() || rest.size() > 2 || cmd.equals("detach") && rest.size() != 1) {
            System.err.println("vfork-agent " + cmd + ": usage: " + cmd + " [--timeout=S] <pid|main-class-part>"
                    + (cmd.equals("attach") ? " [name=value,...]" : ""));
            return 2;
        }
        return Attach.attach(rest.get(0), cmd.equals("detach") ? "launcher=jdk" : rest.size() == 2 ? rest.get(1) : "",
                timeoutMs);
    }

    private static int report(String[] args) throws IOException {
        Path recording = null;
        Path html = null;
        boolean json = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--html")) {
                if (i + 1 >= args.length) {
                    System.err.println("vfork-agent report: --html needs a FILE");
                    return 2;
                }
                html = Path.of(args[++i]);
            } else if (a.startsWith("-")) {
                System.err.println("vfork-agent report: unknown option '" + a + "' (known: --html FILE, --json)");
                return 2;
            } else if (recording == null) {
                recording = Path.of(a);
            } else {
                System.err.println("vfork-agent report: one recording only, got also '" + a + "'");
                return 2;
            }
        }
        if (recording == null) {
            System.err.println("vfork-agent report: no recording given (report <recording.jfr> [--html FILE] [--json])");
            return 2;
        }
        if (!Files.isReadable(recording) || Files.isDirectory(recording)) {
            System.err.println("vfork-agent report: cannot read recording '" + recording + "'");
            return 2;
        }
        SpawnReport r;
        try {
            r = SpawnReport.read(recording);
        } catch (IOException | RuntimeException e) {
            System.err.println("vfork-agent report: '" + recording + "' is not a readable JFR recording (" + e.getMessage() + ")");
            return 2;
        }
        System.out.print(json ? JsonReport.render(r) + "\n" : TextReport.render(r));
        if (html != null) {
            Files.writeString(html, HtmlReport.render(r));
            System.err.println("HTML report written to " + html.toAbsolutePath());
        }
        return 0;
    }
}
