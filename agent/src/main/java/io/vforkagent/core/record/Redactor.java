package io.vforkagent.core.record;

import io.vforkagent.core.AgentLog;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in recorded arguments. docs/secrets.md lists what is recognised; in short:
 * values of secret-named flags and keys (in any of {@code --k v}, {@code --k=v}, {@code k=v},
 * {@code k: v}, JSON, XML), the password or token in a URL, secret headers, per-program short
 * flags ({@code mysql -p}, {@code sshpass -p}, {@code curl -u}, ...), well-known token formats,
 * and all of these inside shell command strings, which are split into words and redacted by the
 * same rules. Extra {@code redact=} patterns have their matches hidden, within a time budget.
 *
 * <p>Every rule marks characters of the argument as secret; each run of marked characters is
 * then shown as {@value #MASK}. The built-in rules make a bounded number of passes over each
 * argument (linear time, no regular expressions), so a long argument costs no more than reading it.
 */
public final class Redactor {
    public static final String MASK = "***";
    /** How long the {@code redact=} patterns may run, in all, for one record. */
    public static final long PATTERN_BUDGET_NANOS = 50_000_000L;
    /** Shell strings nest (sh -c "ssh h 'mysql -p...'"); deeper ones are still seen by the other rules. */
    private static final int MAX_DEPTH = 4;
    /** Longer words are not split into shell words (none that long can be exec'd: Linux allows 128 KiB). */
    private static final int MAX_SPLIT = 256 * 1024;
    /** Only the end of a longer key is looked at: its last words decide. */
    private static final int KEY_MAX = 96;

    private final Pattern[] extra;
    private final long budgetNanos;
    private final Set<String> cutOffSaid = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> warning = new AtomicReference<>();

    public Redactor(List<Pattern> extra) {
        this(extra, PATTERN_BUDGET_NANOS);
    }

    Redactor(List<Pattern> extra, long budgetNanos) {
        this.extra = extra.toArray(new Pattern[0]);
        this.budgetNanos = budgetNanos;
    }

    /** From the {@code redact} option: patterns separated by ';'. */
    public static Redactor withPatterns(String list) {
        List<Pattern> ps = new ArrayList<>();
        for (String p : list.split(";")) {
            if (!p.isEmpty()) {
                ps.add(Pattern.compile(p));
            }
        }
        return new Redactor(ps);
    }

    /** The arguments of an unknown program, with secrets replaced by {@value #MASK}. */
    public List<String> redact(List<String> args) {
        return redact("", args);
    }

    /**
     * Arguments 1..n of {@code program} (as given to the JDK: a name or a path), with secrets
     * replaced by {@value #MASK}. Each argument must be whole: a rule may need all of it.
     */
    public List<String> redact(String program, List<String> args) {
        int n = args.size();
        BitSet[] masks = new BitSet[n];
        Ctx c = new Ctx();
        c.program(programOf(program));
        for (int i = 0; i < n; i++) {
            masks[i] = new BitSet();
            word(new Word(args.get(i), null, masks[i]), c, 0);
        }
        if (extra.length > 0) {
            patterns(args, masks);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(render(args.get(i), masks[i]));
        }
        return out;
    }

    /** A warning to log once (a {@code redact=} pattern was cut off), or null; taken by one caller. */
    public String takeWarning() {
        return warning.getAndSet(null);
    }

    private static String render(String a, BitSet mask) {
        if (mask.isEmpty()) {
            return a;
        }
        StringBuilder sb = new StringBuilder(a.length());
        int i = 0;
        while (i < a.length()) {
            int s = mask.nextSetBit(i);
            if (s < 0 || s >= a.length()) {
                sb.append(a, i, a.length());
                break;
            }
            sb.append(a, i, s).append(MASK);
            i = mask.nextClearBit(s);
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- user patterns, time-bounded

    /**
     * Runs the user's patterns with a deadline for the whole record. Java's regex engine reads
     * its input only through {@code charAt}, so a view whose {@code charAt} checks the clock
     * stops any pattern, however it backtracks. An argument not fully checked when time runs
     * out is hidden whole: a cut-off never leaks.
     */
    private void patterns(List<String> args, BitSet[] masks) {
        Budget budget = new Budget(System.nanoTime() + budgetNanos);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            for (Pattern p : extra) {
                try {
                    budget.check();
                    Matcher m = p.matcher(new Timed(a, 0, a.length(), budget));
                    while (m.find()) {
                        masks[i].set(m.start(), m.end());
                    }
                } catch (CutOff e) {
                    for (int j = i; j < args.size(); j++) {
                        masks[j].set(0, args.get(j).length());
                    }
                    if (cutOffSaid.add(p.pattern())) {
                        warning.set("vfork-agent: redact pattern '" + p.pattern() + "' was cut off after "
                                + budgetNanos / 1_000_000 + " ms on one spawn's arguments; the arguments it had not"
                                + " checked are recorded as " + MASK + " (said once for this pattern)");
                    }
                    return;
                }
            }
        }
    }

    /** Thrown, preallocated and without a stack, when the pattern budget is spent. */
    private static final class CutOff extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final CutOff INSTANCE = new CutOff();

        private CutOff() {
            super("redact pattern budget spent", null, false, false);
        }
    }

    private static final class Budget {
        private static final int STEPS = 1024;
        final long deadline;
        int steps = STEPS;

        Budget(long deadline) {
            this.deadline = deadline;
        }

        /** Every {@value #STEPS} reads: the clock costs more than a read. */
        void step() {
            if (--steps < 0) {
                check();
            }
        }

        void check() {
            steps = STEPS;
            if (System.nanoTime() - deadline > 0) {
                throw CutOff.INSTANCE;
            }
        }
    }

    /** A view of a string whose every read counts against the budget. */
    private static final class Timed implements CharSequence {
        private final String s;
        private final int from;
        private final int length;
        private final Budget budget;

        Timed(String s, int from, int length, Budget budget) {
            this.s = s;
            this.from = from;
            this.length = length;
            this.budget = budget;
        }

        @Override
        public char charAt(int i) {
            budget.step();
            if (i < 0 || i >= length) {
                throw new IndexOutOfBoundsException(i);
            }
            return s.charAt(from + i);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            if (start < 0 || end > length || start > end) {
                throw new IndexOutOfBoundsException(start + ".." + end);
            }
            return new Timed(s, from + start, end - start, budget);
        }

        @Override
        public String toString() {
            return s.substring(from, from + length);
        }
    }

    // ---------------------------------------------------------------- words and their context

    /** An argument, or a shell word inside one, with where its characters are in the argument. */
    private static final class Word {
        final String text;
        /** pos[i]: the index in the argument of text[i]; null when text is the argument. */
        final int[] pos;
        final BitSet mask;

        Word(String text, int[] pos, BitSet mask) {
            this.text = text;
            this.pos = pos;
            this.mask = mask;
        }

        /** Marks text[from, to) secret: in the argument, everything between (quotes included). */
        void mark(int from, int to) {
            if (from >= to) {
                return;
            }
            if (pos == null) {
                mask.set(from, to);
            } else {
                mask.set(pos[from], pos[to - 1] + 1);
            }
        }
    }

    // What the next word is, after a flag that takes a secret value.
    private static final int NONE = 0;
    /** Hidden whatever it is. */
    private static final int MASK_ALL = 1;
    /** Hidden unless it is clearly the next option ({@code --flag}, {@code -x}). */
    private static final int MASK_VALUE = 2;
    /** {@code -p} of an unknown program: hidden unless a port, a port mapping or a path. */
    private static final int MASK_UNLESS_PORT = 3;
    /** {@code user:password}: what follows the first ':'. */
    private static final int USER_COLON = 4;
    /** {@code user%password} (Samba tools). */
    private static final int USER_PERCENT = 5;
    /** {@code user:password}, but not {@code uid:gid}. */
    private static final int USER_UNLESS_IDS = 6;
    /** A cookie string (name=value), not a cookie file. */
    private static final int COOKIE = 7;
    /** {@code key=value} whose value is secret whatever the key (kubectl create secret --from-literal). */
    private static final int LITERAL = 8;

    /** What is known of the command being read: its program, and what its earlier words said. */
    private static final class Ctx {
        int prog;
        int pending;
        int pendingCount;
        /** The next word names the program (start of a shell command, or after {@code --}). */
        boolean commandStart;
        /** The previous word was {@code set}/{@code config}: a secret-named key's value follows it. */
        boolean expectKey;
        /** The next word is a command line: after {@code -c}, {@code /c}, or ssh's host. */
        boolean shellNext;
        int positionals;
        boolean login;
        boolean secretCmd;

        void program(int p) {
            prog = p;
            pending = NONE;
            pendingCount = 0;
            expectKey = false;
            login = false;
            secretCmd = false;
            shellNext = false;
            positionals = 0;
        }
    }

    // Programs whose flags mean something particular. The default (UNKNOWN) is the cautious one.
    private static final int UNKNOWN = 0;
    /** Known, and nothing particular: in particular {@code -p} is a port, pid, path or flag, never a password. */
    private static final int OTHER = 1;
    private static final int MYSQL = 2;
    private static final int SSHPASS = 3;
    private static final int AZ = 4;
    private static final int DOCKER = 5;
    private static final int MONGO = 6;
    private static final int REDIS = 7;
    private static final int ZIP = 8;
    private static final int SEVENZ = 9;
    private static final int SQLCMD = 10;
    private static final int LDAP = 11;
    private static final int OPENSSL = 12;
    private static final int CURL = 13;
    private static final int SMB = 14;
    private static final int KEYTOOL = 15;
    private static final int ORACLE = 16;
    private static final int HTTPIE = 17;
    private static final int FFMPEG = 18;
    /** ssh: what follows the host is a command line for the remote shell. */
    private static final int SSH = 19;

    private static final Map<String, Integer> PROGRAMS = new HashMap<>();

    private static void programs(int kind, String... names) {
        for (String n : names) {
            PROGRAMS.put(n, kind);
        }
    }

    static {
        programs(MYSQL, "mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlshow", "mysqlcheck", "mysqlpump",
                "mysqlslap", "mysqlbinlog", "mysqlsh", "mariadb", "mariadb-dump", "mariadb-admin", "mariadb-import",
                "mariadb-show", "mariadb-check", "mariadb-slap", "mariadb-binlog");
        programs(SSHPASS, "sshpass");
        programs(AZ, "az");
        programs(DOCKER, "docker", "podman", "nerdctl", "helm", "oras");
        programs(MONGO, "mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat",
                "mongotop", "mongofiles");
        programs(REDIS, "redis-cli", "valkey-cli", "keydb-cli");
        programs(ZIP, "zip", "unzip", "zipcloak", "funzip");
        programs(SEVENZ, "7z", "7za", "7zr", "rar", "unrar");
        programs(SQLCMD, "sqlcmd", "bcp", "osql");
        programs(LDAP, "ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapmodrdn", "ldappasswd", "ldapwhoami",
                "ldapcompare", "ldapexop");
        programs(OPENSSL, "openssl");
        programs(CURL, "curl");
        programs(SMB, "smbclient", "rpcclient", "smbcacls", "smbget", "net");
        programs(KEYTOOL, "keytool");
        programs(ORACLE, "sqlplus", "rman", "expdp", "impdp", "sqlldr", "dgmgrl");
        programs(HTTPIE, "http", "https", "httpie");
        programs(FFMPEG, "ffmpeg");
        programs(SSH, "ssh");
        programs(OTHER, "scp", "sftp", "psql", "pg_dump", "pg_dumpall", "pg_restore", "pg_basebackup",
                "pg_isready", "createdb", "dropdb", "createuser", "dropuser", "vacuumdb", "reindexdb", "pgbench",
                "mkdir", "cp", "mv", "install", "rsync", "tar", "ps", "pgrep", "pkill", "kill", "lsof", "strace",
                "ltrace", "perf", "gdb", "git", "kubectl", "oc", "java", "javac", "jar", "jcmd", "jps", "jstack",
                "jmap", "mvn", "mvnw", "gradle", "gradlew", "patch", "xargs", "nc", "ncat", "netcat", "socat",
                "ping", "python", "python3", "node", "npm", "npx", "yarn", "make", "gcc", "cc", "clang", "g++",
                "ld", "sed", "grep", "find", "sort", "ls", "du", "df", "chmod", "chown", "ln", "unshare", "nsenter",
                "ip", "ss", "netstat", "cat", "echo", "printf", "touch", "rm", "head", "tail", "env", "sudo", "su",
                "nohup", "timeout", "time", "watch", "nice", "ionice", "chroot", "setsid", "stdbuf", "wget", "aws",
                "gcloud", "gsutil", "terraform", "ansible", "ansible-playbook", "systemctl", "journalctl", "tee",
                "docker-compose", "sh", "bash", "dash", "zsh", "ksh", "ash", "mksh", "fish", "busybox", "cmd",
                "powershell", "pwsh", "gh", "glab", "vault");
    }

    /** The kind of a program given as a name or path; UNKNOWN when not in the table. */
    private static int programOf(String program) {
        Integer k = known(program);
        return k == null ? UNKNOWN : k;
    }

    private static Integer known(String word) {
        if (word.isEmpty() || word.length() > 128 || word.indexOf('=') >= 0) {
            return null;
        }
        return PROGRAMS.get(word.substring(word.lastIndexOf('/') + 1));
    }

    // ---------------------------------------------------------------- one word

    private void word(Word w, Ctx c, int depth) {
        String s = w.text;
        boolean shell = c.shellNext;
        c.shellNext = false;
        int p = c.pending;
        if (p != NONE) {
            if (--c.pendingCount <= 0) {
                c.pending = NONE;
            }
            if (p == MASK_ALL || !optionLike(s)) {
                if (value(w, p, 0)) {
                    return; // hidden whole
                }
                embedded(w);
                nested(w, depth);
                return;
            }
            c.pending = NONE;
        }
        if (s.length() > 1 && s.charAt(0) == '-') {
            option(w, c);
        } else {
            positional(w, c, shell);
        }
        embedded(w);
        nested(w, depth);
    }

    /** Applies what a flag said of its value, {@code text[from..]}; true when hidden whole. */
    private static boolean value(Word w, int kind, int from) {
        String s = w.text;
        int n = s.length();
        switch (kind) {
            case MASK_ALL:
            case MASK_VALUE:
                w.mark(from, n);
                return true;
            case MASK_UNLESS_PORT:
                if (portLike(s, from) || pathLike(s, from)) {
                    return false;
                }
                w.mark(from, n);
                return true;
            case USER_COLON:
            case USER_PERCENT:
            case USER_UNLESS_IDS: {
                int sep = s.indexOf(kind == USER_PERCENT ? '%' : ':', from);
                if (sep >= 0 && !(kind == USER_UNLESS_IDS && digits(s, sep + 1, n))) {
                    w.mark(sep + 1, n);
                }
                return false;
            }
            case COOKIE:
                if (s.indexOf('=', from) >= 0) {
                    w.mark(from, n);
                    return true;
                }
                return false;
            case LITERAL: {
                int eq = s.indexOf('=', from);
                w.mark(eq < 0 ? from : eq + 1, n);
                return eq < 0;
            }
            default:
                return false;
        }
    }

    /** The next option rather than a value: {@code --name...} or {@code -x}. */
    private static boolean optionLike(String s) {
        return s.length() > 2 && s.startsWith("--") && Character.isLetter(s.charAt(2))
                || s.length() == 2 && s.charAt(0) == '-' && Character.isLetter(s.charAt(1));
    }

    /** A port, a port range or mapping ({@code 8080:80}, {@code 127.0.0.1:8080:80/tcp}); each number a port. */
    private static boolean portLike(String s, int from) {
        int end = s.length();
        if (s.endsWith("/tcp") || s.endsWith("/udp")) {
            end -= 4;
        }
        if (from >= end || !isDigit(s.charAt(from))) {
            return false;
        }
        long number = 0;
        for (int i = from; i < end; i++) {
            char ch = s.charAt(i);
            if (isDigit(ch)) {
                number = number * 10 + (ch - '0');
                if (number > 65535) {
                    return false;
                }
            } else if (ch == ':' || ch == '.' || ch == '-') {
                number = 0;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean pathLike(String s, int from) {
        return s.startsWith("/", from) || s.startsWith("./", from) || s.startsWith("../", from)
                || s.startsWith("~/", from);
    }

    private static boolean digits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
    }

    // ---------------------------------------------------------------- options

    private static void option(Word w, Ctx c) {
        String s = w.text;
        int n = s.length();
        if (s.equals("--")) {
            c.commandStart = true; // kubectl exec pod -- mysql ...
            return;
        }
        boolean dbl = s.charAt(1) == '-';
        int nameStart = dbl ? 2 : 1;
        int nameEnd = nameStart;
        while (nameEnd < n && s.charAt(nameEnd) != '=' && !isSpace(s.charAt(nameEnd))) {
            nameEnd++;
        }
        // "--password x" as one argument: its words are read as a command, unless a short flag takes all.
        boolean spaced = nameEnd < n && s.charAt(nameEnd) != '=';
        boolean hasValue = nameEnd < n && !spaced;
        int valueStart = nameEnd + 1;
        if (!dbl) {
            // -Dname=value: a Java system property.
            if (hasValue && s.charAt(1) == 'D' && nameEnd > 2) {
                if (isSecretKey(s, 2, nameEnd)) {
                    secretFlag(w, c, true, valueStart);
                }
                return;
            }
            if (n <= 5 && s.charAt(n - 1) == 'c' && letters(s, 1, n) || s.equalsIgnoreCase("-command")) {
                c.shellNext = true; // sh -c, bash -lc, pwsh -Command: a command line follows
            }
            // A single-dash word (-storepass, -client-secret) unless the program has short secret flags.
            String name = s.substring(1, nameEnd);
            boolean wordFlag = EXACT_FLAGS.contains(name.toLowerCase(Locale.ROOT)) || hasSeparator(name);
            if (!wordFlag || shortSecrets(c.prog)) {
                if (shortOption(w, c)) {
                    return;
                }
            }
        }
        if (spaced) {
            return;
        }
        if (c.prog == FFMPEG && s.equals("-pass")) {
            return; // ffmpeg -pass 1: the pass of a two-pass encoding
        }
        if (isSecretKey(s, nameStart, nameEnd)) {
            secretFlag(w, c, hasValue, valueStart);
            return;
        }
        longOption(w, c, s.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT), hasValue, valueStart);
    }

    private static void secretFlag(Word w, Ctx c, boolean hasValue, int valueStart) {
        if (!hasValue) {
            pend(c, MASK_VALUE);
        } else if (valueStart < w.text.length()) {
            w.mark(valueStart, w.text.length());
        } else {
            pend(c, MASK_ALL); // "--password=" "value"
        }
    }

    private static void pend(Ctx c, int kind) {
        c.pending = kind;
        c.pendingCount = 1;
    }

    private static boolean hasSeparator(String name) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch == '-' || ch == '_' || ch == '.') {
                return true;
            }
        }
        return false;
    }

    /** Single-dash words that are whole flag names (-passin, -storepass), not -p with a value. */
    private static final Set<String> EXACT_FLAGS = Set.of("pass", "password", "passwd", "passphrase", "passin",
            "passout", "pwd", "token", "secret", "apikey", "auth", "storepass", "keypass", "srcstorepass",
            "deststorepass", "srckeypass", "destkeypass", "accesstoken", "authtoken", "credentials", "cookie");

    /** Programs whose short flags carry secrets: there, {@code -pX} is {@code -p} with X, never a word. */
    private static boolean shortSecrets(int prog) {
        return prog == MYSQL || prog == SSHPASS || prog == AZ || prog == MONGO || prog == SEVENZ;
    }

    /** A short option by the program's meaning; true when handled. */
    private static boolean shortOption(Word w, Ctx c) {
        String s = w.text;
        int n = s.length();
        char f = s.charAt(1);
        boolean attached = n > 2;
        switch (c.prog) {
            case MYSQL:
            case MONGO:
            case AZ:
                return f == 'p' && secretShort(w, c, attached, MASK_VALUE);
            case SSHPASS:
                return f == 'p' && secretShort(w, c, attached, MASK_ALL);
            case DOCKER:
                return c.login && f == 'p' && secretShort(w, c, attached, MASK_VALUE);
            case REDIS:
                return f == 'a' && secretShort(w, c, attached, MASK_ALL);
            case ZIP:
                return f == 'P' && secretShort(w, c, attached, MASK_ALL);
            case SEVENZ:
                if ((f == 'p' || s.startsWith("-hp")) && attached) {
                    w.mark(f == 'p' ? 2 : 3, n); // 7z -pSECRET, rar -hpSECRET; a bare -p prompts
                    return true;
                }
                return false;
            case SQLCMD:
                return f == 'P' && secretShort(w, c, attached, MASK_ALL);
            case LDAP:
                return f == 'w' && secretShort(w, c, attached, MASK_ALL);
            case OPENSSL:
                return n == 2 && (f == 'k' || f == 'K') && secretShort(w, c, false, MASK_ALL);
            case KEYTOOL:
                if (s.equals("-storepasswd") || s.equals("-keypasswd")) {
                    return true; // commands: the passwords follow as -new and -storepass
                }
                return s.equals("-new") && secretShort(w, c, false, MASK_ALL);
            case SMB:
                return f == 'U' && userShort(w, c, attached, USER_PERCENT);
            case HTTPIE:
                return f == 'a' && userShort(w, c, attached, USER_COLON);
            case CURL:
                if (f == 'u' || f == 'U' || f == 'E') {
                    return userShort(w, c, attached, USER_COLON);
                }
                if (f == 'b') {
                    if (attached) {
                        value(w, COOKIE, 2);
                    } else {
                        pend(c, COOKIE);
                    }
                    return true;
                }
                // A cluster of flags ending in u (curl -su user:pass): the next word is the user.
                if (n > 2 && (s.charAt(n - 1) == 'u' || s.charAt(n - 1) == 'U') && letters(s, 1, n)) {
                    pend(c, USER_COLON);
                    return true;
                }
                return false;
            case UNKNOWN:
                if (f == 'p') {
                    if (!attached) {
                        pend(c, MASK_UNLESS_PORT);
                    } else if (!pWord(s)) {
                        w.mark(2, n); // -psecret: the mysql form, the common one for a password
                    }
                    return true;
                }
                if (f == 'u') {
                    return userShort(w, c, attached, USER_UNLESS_IDS);
                }
                return c.secretCmd && f == 'b' && n == 2 && secretShort(w, c, false, MASK_VALUE);
            default:
                return c.secretCmd && f == 'b' && n == 2 && secretShort(w, c, false, MASK_VALUE);
        }
    }

    private static boolean secretShort(Word w, Ctx c, boolean attached, int kind) {
        if (attached) {
            w.mark(2, w.text.length());
        } else {
            pend(c, kind);
        }
        return true;
    }

    private static boolean userShort(Word w, Ctx c, boolean attached, int kind) {
        if (attached) {
            value(w, kind, 2);
        } else {
            pend(c, kind);
        }
        return true;
    }

    private static boolean letters(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /** Common {@code -p...} flags that are words or numbers, not {@code -p} with a password. */
    private static boolean pWord(String s) {
        String rest = s.substring(2);
        if (rest.length() <= 2 || isDigit(rest.charAt(0)) || rest.indexOf('=') >= 0) {
            return true;
        }
        String lower = s.substring(1).toLowerCase(Locale.ROOT);
        for (String word : P_WORDS) {
            if (lower.startsWith(word)) {
                return true;
            }
        }
        return false;
    }

    private static final String[] P_WORDS = {"print", "prune", "perm", "path", "pthread", "pipe", "pie", "pic",
        "pedantic", "profile", "preserve", "parents", "pid", "port", "privileged", "prefix", "package", "plugin",
        "proc", "progress", "project", "propert", "push", "pull", "pretty", "passive", "platform", "pool", "parallel",
        "param", "partition", "pattern", "policy", "poll", "priority", "proxy", "ptr", "pwd"};

    /** Long options whose meaning depends on the program. */
    private static void longOption(Word w, Ctx c, String name, boolean hasValue, int valueStart) {
        int kind = NONE;
        if ((name.equals("user") || name.equals("proxy-user")) && (c.prog == CURL || c.prog == UNKNOWN)) {
            kind = c.prog == CURL ? USER_COLON : USER_UNLESS_IDS;
        } else if (name.equals("cert") && c.prog == CURL) {
            kind = USER_COLON; // --cert file:password
        } else if (c.secretCmd) {
            // gh secret set --body, az keyvault secret set --value, kubectl create secret --from-literal
            if (name.equals("from-literal") || name.equals("literal")) {
                kind = LITERAL;
            } else if (name.equals("value") || name.equals("body") || name.equals("data") || name.equals("string")) {
                kind = MASK_VALUE;
            }
        }
        if (kind == NONE) {
            return;
        }
        if (hasValue) {
            value(w, kind, valueStart);
        } else {
            pend(c, kind);
        }
    }

    // ---------------------------------------------------------------- positional words

    private static void positional(Word w, Ctx c, boolean shell) {
        String s = w.text;
        int n = s.length();
        if (c.prog == SSH && c.positionals++ > 0) {
            shell = true; // ssh host "PGPASSWORD=x psql ..."
        }
        // KEY=VALUE as a whole word (env VAR=x cmd, docker -e, helm --set): all after '=' is the value,
        // spaces included; but a command line (sh -c "PGPASSWORD=x psql") is read as its words.
        int eq = s.indexOf('=');
        if (eq > 0 && keyChars(s, 0, eq)) {
            if (isSecretKey(s, 0, eq)) {
                if (!shell || !hasSpace(s)) {
                    w.mark(eq + 1, n);
                }
            } else if (c.prog == ORACLE && eq + 1 < n) {
                oracleLogin(w, eq + 1); // expdp userid=scott/tiger
            }
            if (c.commandStart) {
                return; // an assignment before the command's name
            }
        }
        if (c.commandStart) {
            c.commandStart = false;
            c.program(programOf(s));
            return;
        }
        Integer k = known(s);
        if (k != null) {
            c.program(k); // sudo mysql ..., sshpass -p x ssh -p 22 ...: the flags that follow are its
            return;
        }
        if (c.expectKey) {
            c.expectKey = false;
            int keyStart = keyRunStart(s, n);
            if (isSecretKey(s, keyStart, n) && !VERBS.contains(words(s, keyStart, Math.min(n, keyStart + 16)).get(0))) {
                pend(c, MASK_VALUE); // aws configure set aws_secret_access_key VALUE
                return;
            }
        }
        if (n <= 10) {
            String lower = s.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "/c":
                case "/k":
                    c.shellNext = true; // cmd /c "..."
                    break;
                case "set":
                case "config":
                case "configure":
                    c.expectKey = true;
                    break;
                case "login":
                    c.login = true;
                    break;
                case "secret":
                case "secrets":
                    c.secretCmd = true;
                    break;
                case "auth":
                    if (c.prog == REDIS) {
                        c.pending = MASK_ALL; // AUTH [user] password
                        c.pendingCount = 2;
                    }
                    break;
                default:
                    break;
            }
        }
        if (c.prog == ORACLE) {
            oracleLogin(w, 0);
        }
    }

    /** Subcommands that read like keys: kubectl config set-credentials NAME is no key and value. */
    private static final Set<String> VERBS = Set.of("set", "get", "add", "create", "delete", "update", "remove", "rm",
            "list", "view", "use", "unset");

    /** sqlplus user/password@db: the password. */
    private static void oracleLogin(Word w, int from) {
        String s = w.text;
        int slash = s.indexOf('/', from);
        if (slash <= from || "/-@".indexOf(s.charAt(from)) >= 0) { // a path, an option, an @script
            return;
        }
        int at = s.indexOf('@', slash);
        w.mark(slash + 1, at < 0 ? s.length() : at);
    }

    // ---------------------------------------------------------------- inside a word

    private static boolean isKeyChar(char ch) {
        return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || isDigit(ch) || ch == '_' || ch == '-' || ch == '.';
    }

    private static boolean keyChars(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isKeyChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int keyRunStart(String s, int end) {
        int i = end;
        while (i > 0 && isKeyChar(s.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    /**
     * One pass over a word for what needs no context: {@code key=value}, {@code key: value},
     * JSON and XML values, URL credentials, known token formats. Every look-back stops at the
     * previous separator and every look-ahead that hides something is skipped, so the pass is
     * linear in the word's length.
     */
    private static void embedded(Word w) {
        String s = w.text;
        int n = s.length();
        int[] noAtUntil = {-1};
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch == ':' && i + 2 < n && s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/') {
                i = Math.max(i, url(w, i, noAtUntil) - 1);
            } else if (ch == '=' || ch == ':') {
                i = Math.max(i, keyValue(w, i) - 1);
            } else if (ch == '>') {
                i = Math.max(i, xmlValue(w, i) - 1);
            } else if (i == 0 || !isTokenChar(s.charAt(i - 1)) && s.charAt(i - 1) != '-') {
                i = Math.max(i, tokenFormat(w, i) - 1);
            }
        }
    }

    /** {@code key=value}, {@code key: value}, {@code "key": "value"}; returns where to go on. */
    private static int keyValue(Word w, int sep) {
        String s = w.text;
        int n = s.length();
        char sepChar = s.charAt(sep);
        int k = sep;
        if (sepChar == ':') {
            int spaces = 0;
            while (k > 0 && (s.charAt(k - 1) == ' ' || s.charAt(k - 1) == '\t') && spaces < 8) {
                k--;
                spaces++;
            }
        }
        boolean keyQuoted = false;
        if (k > 0 && (s.charAt(k - 1) == '"' || s.charAt(k - 1) == '\'')) {
            keyQuoted = true;
            k--;
            if (k > 0 && s.charAt(k - 1) == '\\') {
                k--; // \"key\": inside a shell string
            }
        }
        int keyEnd = k;
        int keyStart = keyRunStart(s, keyEnd);
        if (keyStart == keyEnd || !isSecretKey(s, Math.max(keyStart, keyEnd - KEY_MAX), keyEnd)) {
            return sep + 1;
        }
        // A header or YAML line quoted in a shell string ('Authorization: Bearer x') ends at its quote.
        char openQuote = keyStart > 0 && (s.charAt(keyStart - 1) == '\'' || s.charAt(keyStart - 1) == '"')
                && !keyQuoted ? s.charAt(keyStart - 1) : 0;
        int v = sep + 1;
        if (sepChar == ':') {
            while (v < n && (s.charAt(v) == ' ' || s.charAt(v) == '\t')) {
                v++;
            }
        }
        if (v >= n) {
            return n;
        }
        char first = s.charAt(v);
        if (first == '"' || first == '\'') {
            int close = closeQuote(s, v + 1, first);
            w.mark(v + 1, close);
            return close + 1;
        }
        if (first == '\\' && v + 1 < n && s.charAt(v + 1) == '"') {
            int close = s.indexOf("\\\"", v + 2);
            close = close < 0 ? n : close;
            w.mark(v + 2, close);
            return close + 2;
        }
        if (first == '{' || first == '[') {
            int close = closeBracket(s, v);
            w.mark(v, close);
            return close;
        }
        int end = v;
        if (sepChar == '=') {
            while (end < n && "&;, \t\r\n\"'<>)}]".indexOf(s.charAt(end)) < 0) {
                end++;
            }
        } else if (keyQuoted) {
            while (end < n && ",}]\r\n".indexOf(s.charAt(end)) < 0) {
                end++;
            }
        } else {
            while (end < n && s.charAt(end) != '\n' && s.charAt(end) != '\r' && s.charAt(end) != openQuote) {
                end++;
            }
        }
        w.mark(v, end);
        return end;
    }

    /** The index of the closing quote (backslash escapes inside double quotes), or the end. */
    private static int closeQuote(String s, int from, char q) {
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && q == '"') {
                i++;
            } else if (ch == q) {
                return i;
            }
        }
        return s.length();
    }

    /** Just past the bracket that closes the one at {@code from} (strings skipped), or the end. */
    private static int closeBracket(String s, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                i = closeQuote(s, i + 1, '"');
            } else if (ch == '{' || ch == '[') {
                depth++;
            } else if ((ch == '}' || ch == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return s.length();
    }

    /** {@code <password>value</password>}. */
    private static int xmlValue(Word w, int gt) {
        String s = w.text;
        int start = keyRunStart(s, gt);
        if (start == gt || start == 0 || s.charAt(start - 1) != '<'
                || !isSecretKey(s, Math.max(start, gt - KEY_MAX), gt)) {
            return gt + 1;
        }
        int end = s.indexOf('<', gt + 1);
        end = end < 0 ? s.length() : end;
        w.mark(gt + 1, end);
        return end;
    }

    /**
     * The credentials in {@code scheme://user:password@host}: the password (which may hold '@',
     * '/', '?' or '#'), or a user alone that is a token ({@code https://TOKEN@host}); an ssh user
     * stays. Returns where to go on; {@code noAtUntil[0]}: the end of a stretch known to hold no '@'.
     */
    private static int url(Word w, int colon, int[] noAtUntil) {
        String s = w.text;
        int n = s.length();
        int a = colon + 3;
        int e = a;
        int lastAt = -1;
        int firstColon = -1;
        while (e < n) {
            char ch = s.charAt(e);
            if (ch == '/' || ch == '?' || ch == '#' || ch == '"' || ch == '\'' || ch == '<' || ch == '>'
                    || ch == '\\' || isSpace(ch)) {
                break;
            }
            if (ch == '@') {
                lastAt = e;
            } else if (ch == ':' && firstColon < 0) {
                firstColon = e;
            }
            e++;
        }
        if (lastAt >= 0) {
            if (firstColon >= 0 && firstColon < lastAt) {
                w.mark(firstColon + 1, lastAt);
            } else if (!SSH_SCHEMES.contains(scheme(s, colon))) {
                w.mark(a, lastAt);
            }
            return lastAt + 1; // the credentials are not read again as key:value
        }
        // user:pa/ss@host: after the colon no port, and an '@' further on before the word ends.
        if (firstColon >= 0 && a < n && s.charAt(a) != '[' && !digits(s, firstColon + 1, e) && e >= noAtUntil[0]) {
            int end = e;
            int at = -1;
            while (end < n && !isSpace(s.charAt(end)) && s.charAt(end) != '"' && s.charAt(end) != '\'') {
                if (s.charAt(end) == '@') {
                    at = end;
                }
                end++;
            }
            noAtUntil[0] = end;
            if (at >= 0) {
                w.mark(firstColon + 1, at);
                return at + 1;
            }
        }
        return a; // no credentials: the rest (;password=x) is read as usual
    }

    private static String scheme(String s, int colon) {
        int start = colon;
        while (start > 0 && colon - start < 32 && isSchemeChar(s.charAt(start - 1))) {
            start--;
        }
        return s.substring(start, colon).toLowerCase(Locale.ROOT);
    }

    private static final Set<String> SSH_SCHEMES = Set.of("ssh", "git+ssh", "ssh+git", "svn+ssh", "sftp", "scp",
            "rsync");

    private static boolean isSchemeChar(char ch) {
        return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || isDigit(ch) || ch == '+' || ch == '.' || ch == '-';
    }

    private static boolean isTokenChar(char ch) {
        return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || isDigit(ch) || ch == '_';
    }

    /** Length of the run of {@code [A-Za-z0-9_-]} (and '.' when {@code dots}) at {@code from}, up to {@code max}. */
    private static int run(String s, int from, boolean dots, int max) {
        int i = from;
        while (i < s.length() && i - from < max) {
            char ch = s.charAt(i);
            if (!(isTokenChar(ch) || ch == '-' || dots && ch == '.')) {
                break;
            }
            i++;
        }
        return i - from;
    }

    /** Prefixes of tokens that are secrets wherever they appear, and the least length of what follows. */
    private static final String[] TOKEN_PREFIXES = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
        "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-", "sk_live_", "rk_live_", "sk_test_", "rk_test_",
        "sk-", "AIza", "ya29.", "npm_", "hf_", "pypi-", "shpat_", "shpss_", "dop_v1_", "SG."};
    private static final int[] TOKEN_MIN = {30, 30, 30, 30, 30, 40, 20, 10, 10, 10, 10, 10, 10, 16, 16, 16, 16,
        20, 30, 20, 30, 30, 30, 20, 20, 40, 20};

    /**
     * A token recognisable by its form alone (GitHub, GitLab, Slack, Stripe, OpenAI, Google, npm,
     * Hugging Face, PyPI, JWT, a PEM private key, {@code Bearer x}): what follows its prefix is
     * hidden. Returns where to go on.
     */
    private static int tokenFormat(Word w, int i) {
        String s = w.text;
        char ch = s.charAt(i);
        if (ch == '-' && s.startsWith("-----BEGIN ", i)) {
            int headerEnd = s.indexOf("-----", i + 11);
            if (headerEnd < 0 || headerEnd - i > 80 || !s.startsWith("PRIVATE KEY", headerEnd - 11)) {
                return i + 1;
            }
            int end = s.indexOf("-----END", headerEnd + 5);
            end = end < 0 ? s.length() : end;
            w.mark(headerEnd + 5, end);
            return end;
        }
        if (ch == 'e' && s.startsWith("eyJ", i)) {
            int first = run(s, i, false, Integer.MAX_VALUE);
            int dot = i + first;
            if (first >= 10 && dot + 4 < s.length() && s.charAt(dot) == '.' && s.startsWith("eyJ", dot + 1)) {
                int end = dot + 1 + run(s, dot + 1, true, Integer.MAX_VALUE);
                w.mark(i + 3, end);
                return end;
            }
            return dot;
        }
        if ((ch == 'j' || ch == 'J') && s.regionMatches(true, i, "jdbc:oracle:", 0, 12)) {
            return oracleUrl(w, i + 12);
        }
        if ((ch == 'B' || ch == 'b') && s.regionMatches(true, i, "bearer ", 0, 7)) {
            int v = i + 7;
            while (v < s.length() && s.charAt(v) == ' ') {
                v++;
            }
            int len = run(s, v, true, 8);
            if (len == 8) {
                int end = v + run(s, v, true, Integer.MAX_VALUE);
                while (end < s.length() && (s.charAt(end) == '=' || s.charAt(end) == '+' || s.charAt(end) == '/'
                        || s.charAt(end) == '~' || s.charAt(end) == '.' || isTokenChar(s.charAt(end))
                        || s.charAt(end) == '-')) {
                    end++;
                }
                w.mark(v, end);
                return end;
            }
            return i + 1;
        }
        for (int p = 0; p < TOKEN_PREFIXES.length; p++) {
            String prefix = TOKEN_PREFIXES[p];
            if (prefix.charAt(0) == ch && s.startsWith(prefix, i)) {
                int v = i + prefix.length();
                if (run(s, v, false, TOKEN_MIN[p]) == TOKEN_MIN[p]) {
                    int end = v + run(s, v, true, Integer.MAX_VALUE);
                    w.mark(v, end);
                    return end;
                }
                return i + 1;
            }
        }
        return i + 1;
    }

    /** {@code jdbc:oracle:thin:user/password@host...}: the password; returns where to go on. */
    private static int oracleUrl(Word w, int from) {
        String s = w.text;
        int driverEnd = s.indexOf(':', from);
        if (driverEnd < 0 || driverEnd - from > 8) {
            return from;
        }
        int slash = -1;
        int at = -1;
        int end = driverEnd + 1;
        int limit = Math.min(s.length(), end + 256); // user/password is short: a bounded look
        while (end < limit && !isSpace(s.charAt(end)) && s.charAt(end) != '"' && s.charAt(end) != '\'') {
            char ch = s.charAt(end);
            if (ch == '/' && slash < 0 && at < 0) {
                slash = end;
            } else if (ch == '@') {
                at = end;
            }
            end++;
        }
        if (slash > driverEnd + 1 && at > slash) {
            w.mark(slash + 1, at);
            return at;
        }
        return driverEnd + 1;
    }

    // ---------------------------------------------------------------- shell strings

    /**
     * A word with spaces may be a command line ({@code sh -c "..."}, {@code ssh host "..."},
     * {@code su -c}, {@code cmd /c}): it is split as a POSIX shell would, and its words are
     * read as commands by the same rules. Quotes and escapes are removed for reading, and a
     * secret found in a word hides its characters in the argument, quotes within included.
     */
    private void nested(Word w, int depth) {
        String s = w.text;
        if (depth >= MAX_DEPTH || !hasSpace(s)) {
            return;
        }
        if (s.length() > MAX_SPLIT) {
            w.mark(0, s.length()); // not worth reading, and it cannot be exec'd: hidden whole
            return;
        }
        Ctx c = new Ctx();
        c.program(UNKNOWN);
        c.commandStart = true;
        int n = s.length();
        StringBuilder cur = new StringBuilder();
        int[] pos = new int[n];
        int len = 0;
        boolean inWord = false;
        int i = 0;
        while (i <= n) {
            char ch = i < n ? s.charAt(i) : ' ';
            boolean separator = i < n && (ch == '\n' || ch == ';' || ch == '&' || ch == '|' || ch == '(' || ch == ')'
                    || ch == '`');
            if (i == n || ch == ' ' || ch == '\t' || ch == '\r' || ch == '<' || ch == '>' || separator) {
                if (inWord) {
                    int[] p = new int[len];
                    for (int j = 0; j < len; j++) {
                        p[j] = w.pos == null ? pos[j] : w.pos[pos[j]];
                    }
                    word(new Word(cur.toString(), p, w.mask), c, depth + 1);
                    cur.setLength(0);
                    len = 0;
                    inWord = false;
                }
                if (separator) {
                    c.program(UNKNOWN);
                    c.commandStart = true;
                }
                i++;
                continue;
            }
            inWord = true;
            if (ch == '\\' && i + 1 < n) {
                cur.append(s.charAt(i + 1));
                pos[len++] = i + 1;
                i += 2;
            } else if (ch == '\'') {
                i++;
                while (i < n && s.charAt(i) != '\'') {
                    cur.append(s.charAt(i));
                    pos[len++] = i++;
                }
                i++;
            } else if (ch == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < n && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
                        i++;
                    }
                    cur.append(s.charAt(i));
                    pos[len++] = i++;
                }
                i++;
            } else {
                cur.append(ch);
                pos[len++] = i++;
            }
        }
    }

    private static boolean hasSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- secret names

    /** Words that make a name secret wherever they are in it (db-password, keyStorePassword, SECRET_KEY_BASE). */
    private static final Set<String> STRONG = Set.of("password", "passwd", "passphrase", "secret", "secrets", "token",
            "apikey", "credential", "credentials", "creds", "privatekey", "accesskey", "secretkey", "accountkey",
            "masterkey", "authkey", "masterauth", "jwt");
    /** A word ending so is strong too: pgpassword, clientsecret, githubtoken, sslpassword. */
    private static final String[] STRONG_ENDINGS = {"password", "passwd", "passphrase", "secret", "token", "apikey",
        "privatekey", "accesskey", "secretkey", "accountkey", "sessionid"};
    /** Words that make a name secret only as its last word: --auth, Cookie, sig=, --otp (but not --auth-type). */
    private static final Set<String> WEAK = Set.of("pass", "pwd", "auth", "authorization", "cookie", "cookies",
            "passin", "passout", "sig", "signature", "otp", "totp", "bearer", "sessionid");
    /** Two words that together are a secret: api key, access key, private key, session id, ... */
    private static final Set<String> PAIRS = Set.of("api key", "access key", "secret key", "private key",
            "account key", "master key", "encryption key", "signing key", "shared key", "auth key", "session key",
            "hmac key", "license key", "key data", "session id", "mfa code", "auth code");
    /** A last word that makes the name about a secret, not the secret: --password-file, --token-type. */
    private static final Set<String> REFERENCE = Set.of("file", "files", "path", "dir", "directory", "name", "names",
            "id", "ids", "arn", "ref", "type", "kind", "mode", "method", "stdin", "fd", "env", "var", "length", "len",
            "size", "count", "min", "max", "limit", "limits", "ttl", "expiry", "expires", "expiration", "lifetime",
            "duration", "timeout", "url", "uri", "endpoint", "host", "server", "port", "user", "username", "provider",
            "plugin", "helper", "command", "cmd", "program", "process", "source", "location", "format", "policy",
            "version", "algorithm", "algo", "scheme", "flow", "scope", "scopes", "audience", "issuer", "label",
            "description", "enabled", "disabled", "required", "authentication", "store", "manager", "prompt",
            "level");
    /** A first word that makes the flag a switch about a secret: --no-password, --ask-pass, --use-token. */
    private static final Set<String> SWITCH = Set.of("no", "ask", "skip", "disable", "enable", "use", "with",
            "without", "require", "allow", "show", "hide", "prompt", "generate", "rotate", "print", "validate",
            "verify", "forget", "clear", "list", "max", "min");
    /** Words ending in "pass" that are no password: --bypass, lowpass. */
    private static final Set<String> NOT_PASS = Set.of("bypass", "compass", "encompass", "multipass", "overpass",
            "underpass", "trespass", "surpass", "onepass", "twopass", "firstpass", "secondpass", "singlepass",
            "lowpass", "highpass", "bandpass", "allpass");

    /**
     * Whether {@code s[from, to)}, a flag or key name, names a secret. The name is split into
     * lower-case words at any non-letter and at camel-case humps; its last words decide.
     */
    static boolean isSecretKey(String s, int from, int to) {
        if (to - from > KEY_MAX) {
            from = to - KEY_MAX;
        }
        if (to - from == 3 && s.startsWith("PWD", from) || to - from == 6 && s.startsWith("OLDPWD", from)
                || !hasStem(s, from, to)) {
            return false; // the shell's working directory; or no secret word can be in it
        }
        List<String> words = words(s, from, to);
        int w = words.size();
        if (w == 0) {
            return false;
        }
        String last = words.get(w - 1);
        if (w > 1 && (SWITCH.contains(words.get(0)) || REFERENCE.contains(last))) {
            return false;
        }
        if (WEAK.contains(last) || last.length() > 4 && last.endsWith("pass") && !NOT_PASS.contains(last)) {
            return true;
        }
        for (int i = 0; i < w; i++) {
            String word = words.get(i);
            if (STRONG.contains(word)) {
                return true;
            }
            for (String ending : STRONG_ENDINGS) {
                if (word.length() > ending.length() && word.endsWith(ending)) {
                    return true;
                }
            }
            if (i > 0 && PAIRS.contains(words.get(i - 1) + " " + word)) {
                return true;
            }
        }
        return false;
    }

    /** Beginnings of every secret word above: most names have none, and need not be split. */
    private static final String[] STEMS = {"pas", "pwd", "sec", "tok", "key", "aut", "cre", "coo", "sig", "otp",
        "bea", "jwt", "ses", "mfa"};

    private static boolean hasStem(String s, int from, int to) {
        for (int i = from; i + 3 <= to; i++) {
            char c = Character.toLowerCase(s.charAt(i));
            for (String stem : STEMS) {
                if (stem.charAt(0) == c && s.regionMatches(true, i + 1, stem, 1, 2)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> words(String s, int from, int to) {
        List<String> words = new ArrayList<>(4);
        int start = -1;
        for (int i = from; i <= to; i++) {
            char ch = i < to ? s.charAt(i) : '-';
            boolean letter = Character.isLetterOrDigit(ch);
            boolean hump = letter && start >= 0 && i > start && Character.isUpperCase(ch)
                    && (Character.isLowerCase(s.charAt(i - 1))
                    || i + 1 < to && Character.isLowerCase(s.charAt(i + 1)) && Character.isUpperCase(s.charAt(i - 1)));
            if ((!letter || hump) && start >= 0) {
                words.add(s.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
            if (letter && start < 0) {
                start = i;
            }
        }
        return words;
    }

    // ---------------------------------------------------------------- display

    /**
     * Joins arguments for display, capped at {@code max} characters. An argument is quoted when
     * it is empty or holds spaces, quotes or characters that must not reach a terminal or log
     * raw; within quotes, backslash, quote and those characters are escaped, so the text is
     * unambiguous and one line.
     */
    public static String join(List<String> args, int max) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (needsQuotes(a)) {
                sb.append('"');
                AgentLog.appendEscaped(sb, a, true);
                sb.append('"');
            } else {
                sb.append(a);
            }
            if (sb.length() > max) {
                break;
            }
        }
        if (sb.length() > max) {
            sb.setLength(max);
            sb.append("...(truncated)");
        }
        return sb.toString();
    }

    private static boolean needsQuotes(String a) {
        if (a.isEmpty()) {
            return true;
        }
        for (int i = 0; i < a.length(); i++) {
            char ch = a.charAt(i);
            if (Character.isWhitespace(ch) || ch == '"' || ch == '\'' || AgentLog.unsafe(ch)) {
                return true;
            }
        }
        return false;
    }
}
