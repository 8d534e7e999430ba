package io.vforkagent.core.launch;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;

/**
 * One spawn as the JDK asked for it: {@code ProcessImpl.forkAndExec}'s arguments, wrapped once and
 * not copied. The bytes are the JDK's own NUL-terminated blocks; the decoders turn them into text
 * only when a record needs it, and no further than a record shows.
 */
public final class SpawnRequest {
    /** Every text recorded is at most this many characters, plus the truncation marker. */
    public static final int TEXT_CAP = 2048;
    /** Longer arguments are not read: twice what Linux lets one argument be (128 KiB). */
    public static final int MAX_ARG_READ = 256 * 1024;

    final Object process;
    final int mode;
    final byte[] helperpath;
    final byte[] prog;
    final byte[] argBlock;
    final int argc;
    final byte[] envBlock;
    final int envc;
    final byte[] dir;
    /** In: the application's descriptors for stdin/out/err (-1: a pipe). Out: the parent's pipe ends. */
    final int[] fds;
    final boolean redirectErrorStream;
    // fds[] is overwritten by the launch: what the application asked for is kept here.
    private final int stdin;
    private final int stdout;
    private final int stderr;
    private String program;
    private String directory;

    public SpawnRequest(Object process, int mode, byte[] helperpath, byte[] prog, byte[] argBlock, int argc,
                        byte[] envBlock, int envc, byte[] dir, int[] fds, boolean redirectErrorStream) {
        this.process = process;
        this.mode = mode;
        this.helperpath = helperpath;
        this.prog = prog;
        this.argBlock = argBlock;
        this.argc = argc;
        this.envBlock = envBlock;
        this.envc = envc;
        this.dir = dir;
        this.fds = fds;
        this.redirectErrorStream = redirectErrorStream;
        this.stdin = fds[0];
        this.stdout = fds[1];
        this.stderr = fds[2];
    }

    /** The program as the JDK passed it (a name or a path), NUL-terminated. */
    public byte[] programBytes() {
        return prog;
    }

    /** The array the launch fills with the parent's pipe ends, as {@code forkAndExec} does. */
    public int[] fds() {
        return fds;
    }

    public int argumentCount() {
        return argc;
    }

    public boolean hasDirectory() {
        return dir != null;
    }

    /** The program, decoded once, at most {@link #TEXT_CAP} characters. */
    public String program() {
        String p = program;
        if (p == null) {
            p = cstring(prog);
            program = p;
        }
        return p;
    }

    /** The working directory asked for, or "" when the child inherits the JVM's. */
    public String directory() {
        String d = directory;
        if (d == null) {
            d = dir == null ? "" : cstring(dir);
            directory = d;
        }
        return d;
    }

    /** "inherited", or how many variables the child gets. */
    public String environment() {
        return envBlock == null ? "inherited" : envc + " variables";
    }

    /** Bytes of program, arguments and environment the launch hands to exec. */
    public long blockBytes() {
        return prog.length + (argBlock == null ? 0 : argBlock.length) + (envBlock == null ? 0 : envBlock.length);
    }

    /** Where stream 0, 1 or 2 goes: "pipe", "inherit", "file/fd", or "stdout" for a merged stderr. */
    public String redirect(int stream) {
        if (stream == 2 && redirectErrorStream) {
            return "stdout";
        }
        int fd = stream == 0 ? stdin : stream == 1 ? stdout : stderr;
        return fd == -1 ? "pipe" : fd == stream ? "inherit" : "file/fd";
    }

    /**
     * Arguments 1..n, decoded until about {@link #TEXT_CAP} bytes are covered, the rest unread.
     * Each is decoded whole (a record redacts it whole before any cap), and one longer than
     * {@link #MAX_ARG_READ} bytes, which cannot be exec'd, is null, unread. With {@code verbatim}
     * (nothing redacted) each is decoded no further than the cap shows.
     */
    public List<String> arguments(boolean verbatim) {
        List<String> args = new ArrayList<>();
        if (argBlock == null) {
            return args;
        }
        Charset cs = Encoding.CHARSET;
        int start = 0;
        int total = 0;
        for (int i = 0; i < argBlock.length && args.size() < argc && total <= TEXT_CAP; i++) {
            if (argBlock[i] == 0) {
                int len = i - start;
                if (verbatim) {
                    args.add(new String(argBlock, start, Math.min(len, TEXT_CAP + 1), cs));
                } else {
                    args.add(len > MAX_ARG_READ ? null : new String(argBlock, start, len, cs));
                }
                total += len + 1;
                start = i + 1;
            }
        }
        return args;
    }

    /** A NUL-terminated string from the JDK, decoded no further than the cap. */
    public static String cstring(byte[] b) {
        int nul = 0;
        while (nul < b.length && nul <= TEXT_CAP && b[nul] != 0) {
            nul++;
        }
        return cap(new String(b, 0, nul, Encoding.CHARSET));
    }

    /** At most {@link #TEXT_CAP} characters, plus the marker. */
    public static String cap(String s) {
        return s.length() <= TEXT_CAP ? s : s.substring(0, TEXT_CAP) + "...(truncated)";
    }

    /** Looked up at the first decode, not at start-up. */
    private static final class Encoding {
        // ProcessImpl encodes with sun.jnu.encoding (JDK 21+) or file.encoding (17): either decodes paths.
        static final Charset CHARSET = charset(System.getProperty("sun.jnu.encoding"));

        private static Charset charset(String jnu) {
            try {
                return jnu != null && Charset.isSupported(jnu) ? Charset.forName(jnu) : Charset.defaultCharset();
            } catch (IllegalArgumentException e) {
                return Charset.defaultCharset();
            }
        }
    }
}
