package io.vforkagent.core;

/**
 * Which launcher serves spawns, and why. Immutable: {@link SpawnService} reads it whole with one
 * volatile read per spawn, while {@link Control} makes the transitions under its lock and
 * publishes each new state at once.
 */
final class LauncherState {
    /** Before the library is loaded: the JDK launcher serves; vfork is what is wanted by default. */
    static final LauncherState STARTING = new LauncherState("vfork", false, false, "");

    /** The launcher asked for, at start or by the last attach: what serves once the library loads. */
    final String wanted;
    /** The native library is loaded: the JDK's reaper waits with wait4, whichever launcher serves. */
    final boolean loaded;
    /** The vfork launcher serves spawns; else the JDK's. */
    final boolean vfork;
    /** Why the vfork launcher does not serve, or "" when it does. */
    final String reason;

    private LauncherState(String wanted, boolean loaded, boolean vfork, String reason) {
        this.wanted = wanted;
        this.loaded = loaded;
        this.vfork = vfork;
        this.reason = reason;
    }

    /** "vfork" or "jdk": the launcher serving. */
    String launcher() {
        return vfork ? "vfork" : "jdk";
    }

    /** The options at start ask for {@code launcher}: it serves once the library loads. */
    LauncherState wanting(String launcher) {
        return new LauncherState(launcher, loaded, vfork, reason);
    }

    /** The library loaded (at start or on a retry): the launcher wanted serves. */
    LauncherState libraryLoaded() {
        boolean v = wanted.equals("vfork");
        return new LauncherState(wanted, true, v, v ? "" : "launcher=jdk");
    }

    /** The library did not load: the JDK launcher serves and reaps, for {@code why}. */
    LauncherState loadFailed(String why) {
        return new LauncherState(wanted, false, false, why);
    }

    /** The start failed after the load: the launcher stays as it is, the reason says so. */
    LauncherState startFailed(String why) {
        return new LauncherState(wanted, loaded, vfork, why);
    }

    /**
     * A later attach asks for {@code launcher}. Without the library vfork cannot serve: it is
     * remembered as wanted (a retry's load, or the load of a start still under way, applies it)
     * and nothing else changes.
     */
    LauncherState asked(String launcher) {
        if (launcher.equals("vfork") && !loaded) {
            return new LauncherState(launcher, loaded, vfork, reason);
        }
        boolean v = launcher.equals("vfork");
        return new LauncherState(launcher, loaded, v, v ? "" : "launcher=jdk");
    }

    @Override
    public String toString() {
        return "wanted=" + wanted + " loaded=" + loaded + " launcher=" + launcher() + " reason=\"" + reason + "\"";
    }
}
