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
            + "  attach <pid|main-class-part> [name=value,...]    load the agent into a running JVM (again: change its options)\n"
            + "  detach <pid|main-class-part>                     return that JVM to the JDK launcher (launcher=jdk)\n"
            + "  list                                             local JVMs and whether each runs the agent\n"
            + "  doctor [tmpdir=DIR]                              check this host and JDK, with a test spawn\n"
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
                    if (args.length < 2 || args.length > 3 || cmd.equals("detach") && args.length != 2) {
                        System.err.println("vfork-agent " + cmd + ": usage: " + cmd + " <pid|main-class-part>"
                                + (cmd.equals("attach") ? " [name=value,...]" : ""));
                        return 2;
                    }
                    return Attach.attach(args[1], cmd.equals("detach") ? "launcher=jdk" : args.length == 3 ? args[2] : "");
                case "list":
                    return Attach.list();
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
