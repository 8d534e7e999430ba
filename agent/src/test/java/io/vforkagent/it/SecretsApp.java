package io.vforkagent.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Spawns commands that carry secrets in the forms real tools take, for {@link RedactionIT}. The
 * programs are scripts named like the tools (curl, mysql, ...) that only exit 0; every secret
 * holds "SeKrit", so a record that shows one is easy to find.
 * Usage: {@code SecretsApp <work dir> secrets|slow-pattern}.
 */
public final class SecretsApp {
    /** An argument with a CR, an ESC sequence that clears a terminal, a bidi override and a newline. */
    static final String CONTROL_ARG = "evil\rforged\u001b[2J\u202ex\ny";

    private SecretsApp() {
    }

    public static void main(String[] args) throws Exception {
        Path bin = Files.createDirectories(Path.of(args[0]).resolve("bin"));
        for (String tool : List.of("curl", "git", "psql", "java", "app", "aws", "mysql", "docker", "kubectl")) {
            Path p = bin.resolve(tool);
            Files.writeString(p, "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        if (args[1].equals("secrets")) {
            secrets(bin);
        } else {
            slowPattern(bin);
        }
        System.out.println("MAIN-DONE");
    }

    private static void secrets(Path bin) throws Exception {
        run(bin, "app", CONTROL_ARG);
        run(bin, "curl", "-u", "bob:SeKrit1", "https://example.invalid/");
        run(bin, "curl", "--user=bob:SeKrit2", "https://example.invalid/");
        run(bin, "git", "clone", "https://SeKritTok3@example.invalid/r.git");
        run(bin, "curl", "https://bob:p@ss@SeKrit4@example.invalid/");
        run(bin, "psql", "postgresql://app@db/prod?password=SeKrit5&sslmode=require");
        run(bin, "java", "-jar", "x.jar", "--spring.datasource.url=jdbc:postgresql://db/prod?user=app&password=SeKrit6");
        run(bin, "curl", "https://example.invalid/cb?x=1&access_token=SeKrit7");
        run(bin, "curl", "--header=Authorization: Basic SeKrit8", "https://example.invalid/");
        run(bin, "curl", "-H", "X-Api-Key: SeKrit9", "https://example.invalid/");
        run("/bin/sh", "-c", "exit 0; mysql -pSeKrit10 db");
        run("/bin/sh", "-c", "exit 0; PGPASSWORD=SeKrit11 psql -h db");
        run("/bin/sh", "-c", "exit 0; sshpass -p SeKrit12 ssh host");
        run("/bin/sh", "-c", "exit 0; curl -H 'Authorization: Bearer SeKrit13' https://example.invalid/");
        run(bin, "app", "{\"password\":\"SeKrit14\"}", "password: SeKrit15");
        run(bin, "app", "--db-password", "SeKrit16", "--bearer-token", "SeKrit17", "--secret-access-key", "SeKrit18",
                "--private-key=SeKrit19", "--client-secret", "SeKrit20", "--passphrase", "SeKrit21",
                "-Djavax.net.ssl.keyStorePassword=SeKrit22", "--spring.datasource.password=SeKrit23");
        run(bin, "aws", "configure", "set", "aws_secret_access_key", "SeKrit24");
        run(bin, "app", "--password=", "SeKrit25");
        // A password longer than the 2048-character cap: only the '@' after it says it is one.
        run(bin, "curl", "https://bob:" + "SeKrit26".repeat(400) + "@example.invalid/");
        run(bin, "mysql", "-u", "root", "-pSeKrit27");
        run(bin, "docker", "login", "-u", "bob", "-p", "SeKrit28", "registry.invalid");
        run(bin, "kubectl", "create", "secret", "generic", "s", "--from-literal=password=SeKrit29");
        // What stays readable.
        run(bin, "app", "--port", "8080", "-p", "8080", "mode=fast", "/var/lib/app", "https://example.invalid/x?page=2");
    }

    /**
     * A redact= pattern that backtracks for ever on these arguments: each start() must still
     * return in bounded time. Prints how long each took.
     */
    private static void slowPattern(Path bin) throws Exception {
        run(bin, "app", CONTROL_ARG);
        for (int i = 0; i < 2; i++) {
            long t = System.nanoTime();
            Process p = new ProcessBuilder(bin.resolve("app").toString(), "a".repeat(40) + "!", "SeKritAfter").start();
            long ms = (System.nanoTime() - t) / 1_000_000;
            p.waitFor();
            System.out.println("START-MS " + ms);
        }
    }

    private static void run(Path bin, String tool, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        run(cmd.toArray(new String[0]));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        int code = p.waitFor();
        if (code != 0) {
            throw new AssertionError("exit " + code + ": " + String.join(" ", cmd));
        }
    }
}
