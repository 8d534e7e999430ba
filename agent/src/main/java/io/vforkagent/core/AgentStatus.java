package io.vforkagent.core;

/**
 * The agent's state as a system property of its JVM, where {@code vfork-agent attach} and
 * {@code list --attach} read it: written here and parsed here, so that writer and readers share
 * one format. One line, one of
 * <pre>
 * starting version=V
 * active version=V launcher=vfork|jdk[ reason="WHY"]
 * inactive version=V reason="WHY"
 * </pre>
 * and, after a reconfiguration by a later attach, its one-line result in {@link #LAST_PROPERTY}.
 */
public final class AgentStatus {
    /** Where the state is published (not an option name: options are {@code vforkagent.*}). */
    public static final String PROPERTY = "vfork-agent.status";
    /** The result of the last reconfiguration by a later attach. */
    public static final String LAST_PROPERTY = PROPERTY + ".last";

    private static final String STARTING = "starting";
    private static final String ACTIVE = "active";
    private static final String INACTIVE = "inactive";

    private AgentStatus() {
    }

    /** Between the rewrite of ProcessImpl and the library's load. */
    static void starting() {
        System.setProperty(PROPERTY, STARTING + " version=" + Agent.VERSION);
    }

    /** So that {@code attach} can tell the operator why, not only the target's stderr. */
    static void declined(String reason) {
        System.setProperty(PROPERTY, INACTIVE + " version=" + Agent.VERSION + " reason=\"" + reason + "\"");
    }

    static void active(LauncherState state) {
        System.setProperty(PROPERTY, ACTIVE + " version=" + Agent.VERSION + " launcher=" + state.launcher()
                + (state.reason.isEmpty() ? "" : " reason=\"" + state.reason + "\""));
    }

    static void lastControl(String result) {
        System.setProperty(LAST_PROPERTY, result);
    }

    /** Still starting: the final state follows within moments. */
    public static boolean isStarting(String status) {
        return status != null && status.startsWith(STARTING);
    }

    /** The agent declined to start; the JDK launcher serves. */
    public static boolean isInactive(String status) {
        return status != null && status.startsWith(INACTIVE);
    }

    /** "vfork" or "jdk" for an active agent; null for any other status (or none). */
    public static String launcher(String status) {
        if (status == null || !status.startsWith(ACTIVE + " ")) {
            return null;
        }
        int reason = status.indexOf(" reason=\"");
        for (String field : (reason < 0 ? status : status.substring(0, reason)).split(" ")) {
            if (field.startsWith("launcher=")) {
                return field.substring("launcher=".length());
            }
        }
        return null;
    }
}
