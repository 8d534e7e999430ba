package io.vforkagent.core;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Where the launcher can run: one definition, for the agent's start and for {@code doctor}. */
public final class Platform {
    /** The oldest Java feature release supported. */
    public static final int JAVA = 17;

    private Platform() {
    }

    public static boolean supportedOs(String osName) {
        return osName.equals("Linux");
    }

    /** The architectures the jar bundles a library for. */
    public static boolean supportedArch(String osArch) {
        String arch = osArch.toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64");
    }

    /** Null when this OS, architecture and JDK can run the launcher, else why not. */
    static String unsupported() {
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!supportedOs(os)) {
            return "os.name=" + os + " is not supported (Linux only)";
        }
        if (!supportedArch(arch)) {
            return "os.arch=" + arch + " is not supported (amd64 and aarch64 only)";
        }
        if (muslJvm("/proc/self/exe")) {
            return "this JVM runs on musl libc: the bundled launcher is built for glibc (docs/platforms.md)";
        }
        if (Runtime.version().feature() < JAVA) {
            return "Java " + Runtime.version() + " is not supported (" + JAVA + " or newer)";
        }
        return null;
    }

    /**
     * Whether the JVM's executable asks for musl's dynamic loader: its ELF interpreter path, in
     * its first KiB. Cheaper than /proc/self/maps (~0.1 ms against ~0.7), and true on a musl JVM
     * only: a glibc JVM on a machine that also has musl installed asks for glibc's loader.
     */
    static boolean muslJvm(String exe) {
        try (FileInputStream in = new FileInputStream(exe)) {
            return new String(in.readNBytes(2048), StandardCharsets.ISO_8859_1).contains("/ld-musl-");
        } catch (IOException | RuntimeException e) {
            return false; // no /proc: loading the library says what is wrong, if anything
        }
    }
}
