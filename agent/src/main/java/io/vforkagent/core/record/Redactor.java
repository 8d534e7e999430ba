package io.vforkagent.core.record;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in recorded arguments: values after secret-looking flags ({@code --password x},
 * {@code --token=x}, {@code -p x}, {@code -px}), {@code key=value} with a secret-looking key,
 * credentials in URLs, and {@code Authorization:}-style headers. Extra patterns have their match
 * replaced. Environment values are never recorded at all, so they need no redaction.
 */
public final class Redactor {
    public static final String MASK = "***";

    private static final Pattern SECRET_WORD = Pattern.compile(
            "(?i)(pass(word|wd|phrase)?|secret|token|api[-_.]?key|apikey|credentials?|auth|private[-_.]?key|"
                    + "access[-_.]?key|session[-_.]?key|client[-_.]?secret|pwd)");
    // The scheme is bounded so that a long argument cannot make the search quadratic.
    private static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)([a-z][a-z0-9+.-]{0,31}://[^/\\s:@]{0,256}:)([^/\\s@]+)(@)");
    private static final Pattern HEADER = Pattern.compile(
            "(?i)^\\s*((proxy-)?authorization|x-api-key|x-auth-token|cookie|x-[a-z-]*token)\\s*:.*");

    private final List<Pattern> extra;

    public Redactor(List<Pattern> extra) {
        this.extra = List.copyOf(extra);
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

    private static boolean isSecretFlag(String arg) {
        if (!arg.startsWith("-") || arg.length() < 2) {
            return false;
        }
        String name = stripDashes(arg);
        return arg.equals("-p") || SECRET_WORD.matcher(name).find() && name.length() <= 40;
    }

    private static String stripDashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        return s.substring(i);
    }

    /** Returns the arguments with secrets replaced by {@value #MASK}. */
    public List<String> redact(List<String> args) {
        List<String> out = new ArrayList<>(args.size());
        boolean maskNext = false;
        for (String arg : args) {
            if (maskNext) {
                out.add(MASK);
                maskNext = false;
                continue;
            }
            out.add(redactOne(arg));
            maskNext = isSecretFlag(arg) && arg.indexOf('=') < 0;
        }
        return out;
    }

    private String redactOne(String arg) {
        String a = arg;
        if (HEADER.matcher(a).matches()) {
            return a.substring(0, a.indexOf(':') + 1) + " " + MASK;
        }
        int eq = a.indexOf('=');
        if (eq > 0) {
            String key = a.substring(0, eq);
            if (SECRET_WORD.matcher(stripDashes(key)).find()) {
                return key + "=" + MASK;
            }
        }
        if (eq < 0 && a.startsWith("-p") && a.length() > 2 && !Character.isDigit(a.charAt(2)) && isMysqlStyle(a)) {
            return "-p" + MASK;
        }
        Matcher m = URL_CREDENTIALS.matcher(a);
        if (m.find()) {
            a = m.replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$3");
        }
        for (Pattern p : extra) {
            a = p.matcher(a).replaceAll(Matcher.quoteReplacement(MASK));
        }
        return a;
    }

    /** {@code -psecret} (mysql style), but not words such as {@code -print} or {@code -pthread}. */
    private static boolean isMysqlStyle(String a) {
        String rest = a.substring(2);
        return !rest.matches("(?i)(rint|thread|ipe|ort|id|ath|rofile|rivileged|arents?|reserve|edantic|ie|ic)\\w*");
    }

    /** Joins arguments for display, quoting those that need it, capped at {@code max} characters. */
    public static String join(List<String> args, int max) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (a.isEmpty() || a.chars().anyMatch(c -> Character.isWhitespace(c) || c == '"' || c == '\'')) {
                sb.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
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
            return sb.toString();
        }
        return sb.toString();
    }
}
