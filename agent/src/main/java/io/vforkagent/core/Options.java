package io.vforkagent.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's options. One set of names, given as agent arguments
 * ({@code -javaagent:vfork-agent.jar=launcher=jdk,jmx=false}) or as system properties
 * ({@code -Dvforkagent.launcher=jdk}); an agent argument wins over the property of the same name.
 */
public final class Options {
    public static final String PROPERTY_PREFIX = "vforkagent.";

    /** One option: its name, default, the accepted values as shown to a user, and the check. */
    public static final class Spec {
        public final String name;
        public final String defaultValue;
        public final String accepted;
        public final String description;
        final Check valid;

        Spec(String name, String defaultValue, String accepted, String description, Check valid) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.accepted = accepted;
            this.description = description;
            this.valid = valid;
        }
    }

    /**
     * How a value is checked, and the one form it is kept in. An enum, not lambdas: the first
     * lambda of a JVM costs ~15 ms at start-up.
     */
    enum Check {
        LAUNCHER, ANY, BOOLEAN, NON_NEGATIVE_INT, ARGS, PATTERNS;

        /**
         * The value as every reader sees it: a closed set of words in lower case, a number
         * without sign or leading zeros; paths and patterns as given (their case matters).
         * Normalised once here, so that no path (start, system property, attach) can compare a
         * differently written value differently.
         */
        String normalise(String v) {
            switch (this) {
                case LAUNCHER:
                case BOOLEAN:
                case ARGS:
                    return v.toLowerCase(Locale.ROOT);
                case NON_NEGATIVE_INT:
                    return isNonNegativeInt(v) ? String.valueOf(Integer.parseInt(v)) : v;
                default:
                    return v;
            }
        }

        /** Whether a normalised value is accepted. */
        boolean test(String v) {
            switch (this) {
                case LAUNCHER:
                    return v.equals("vfork") || v.equals("jdk");
                case BOOLEAN:
                    return v.equals("true") || v.equals("false");
                case NON_NEGATIVE_INT:
                    return isNonNegativeInt(v);
                case ARGS:
                    return v.equals("redact") || v.equals("full") || v.equals("off");
                case PATTERNS:
                    return isPatternList(v);
                default:
                    return true;
            }
        }
    }

    public static final Map<String, Spec> SPECS;

    static {
        Map<String, Spec> m = new LinkedHashMap<>();
        add(m, new Spec("launcher", "vfork", "vfork, jdk",
                "vfork: spawn through the agent's launcher; jdk: keep the JDK's launcher (spawns are still recorded)",
                Check.LAUNCHER));
        add(m, new Spec("tmpdir", "", "a writable directory that allows exec (default: java.io.tmpdir)",
                "where the native library is extracted, into a new private (0700) directory",
                Check.ANY));
        add(m, new Spec("jmx", "true", "true, false", "register the io.vforkagent:type=Agent MBean",
                Check.BOOLEAN));
        add(m, new Spec("slowSpawnMs", "100", "a whole number of milliseconds >= 0",
                "a spawn slower than this is logged at WARN", Check.NON_NEGATIVE_INT));
        add(m, new Spec("args", "redact", "redact, full, off",
                "how arguments are recorded: secrets redacted, verbatim, or not at all", Check.ARGS));
        add(m, new Spec("redact", "", "regular expressions separated by ';'",
                "extra patterns: text matching one is recorded as ***; see docs/secrets.md", Check.PATTERNS));
        add(m, new Spec("help", "false", "true, false", "print this table at start-up", Check.BOOLEAN));
        SPECS = Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, Spec> m, Spec s) {
        m.put(s.name, s);
    }

    private final Map<String, String> values;

    private Options(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @throws IllegalArgumentException naming the bad option and what it accepts
     */
    public static Options parse(String agentArgs, Properties props) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(PROPERTY_PREFIX)) {
                put(values, key.substring(PROPERTY_PREFIX.length()), props.getProperty(key), "-D" + key);
            }
        }
        if (agentArgs != null && !agentArgs.isBlank()) {
            for (String item : agentArgs.split(",")) {
                String trimmed = item.trim();
                if (trimmed.isEmpty()) {
                    continue;
                }
                int eq = trimmed.indexOf('=');
                // A bare flag ("help") means true.
                String key = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
                String value = eq < 0 ? "true" : trimmed.substring(eq + 1).trim();
                put(values, key, value, "agent argument " + key);
            }
        }
        return new Options(values);
    }

    private static void put(Map<String, String> values, String key, String value, String where) {
        Spec spec = SPECS.get(key);
        if (spec == null) {
            throw new IllegalArgumentException("unknown option '" + key + "' (" + where + "); known options: "
                    + String.join(", ", SPECS.keySet()));
        }
        // Checked in the form it is kept in: what passes is what is used.
        String v = spec.valid.normalise(value.trim());
        if (!spec.valid.test(v)) {
            throw new IllegalArgumentException("option " + key + "=" + value + " is not valid (" + where
                    + "); accepted values: " + spec.accepted);
        }
        values.put(key, v);
    }

    /** The names given explicitly (agent arguments or properties), in order. */
    public java.util.Set<String> given() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public String get(String name) {
        String v = values.get(name);
        return v != null ? v : SPECS.get(name).defaultValue;
    }

    public boolean flag(String name) {
        return get(name).equals("true");
    }

    public int integer(String name) {
        return Integer.parseInt(get(name));
    }

    public String launcher() {
        return get("launcher");
    }

    /** The options table, as {@code help} prints it and the README shows it. */
    public static String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %-8s %s%n", "option", "default", "accepted values: meaning"));
        for (Spec s : SPECS.values()) {
            sb.append(String.format("%-12s %-8s %s: %s%n", s.name, s.defaultValue.isEmpty() ? "-" : s.defaultValue,
                    s.accepted, s.description));
        }
        sb.append("Give them as -javaagent:vfork-agent.jar=name=value,... or as -D").append(PROPERTY_PREFIX)
                .append("name=value.\n");
        return sb.toString();
    }

    private static boolean isNonNegativeInt(String v) {
        try {
            return Integer.parseInt(v) >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isPatternList(String v) {
        try {
            for (String p : v.split(";")) {
                if (!p.isEmpty()) {
                    java.util.regex.Pattern.compile(p);
                }
            }
            return true;
        } catch (java.util.regex.PatternSyntaxException e) {
            return false;
        }
    }
}
