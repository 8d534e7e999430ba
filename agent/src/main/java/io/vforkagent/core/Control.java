package io.vforkagent.core;

import io.vforkagent.core.record.Recorder;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The launcher's state transitions (the library's load, a later attach's options) and the
 * reconfiguration of a running agent. Transitions are made under this object's lock and
 * published whole in {@link SpawnService}: a spawn reads the state without a lock.
 */
final class Control {
    private final SpawnService service;
    private final Recorder recorder;
    private final AgentBean bean;

    Control(SpawnService service, Recorder recorder, AgentBean bean) {
        this.service = service;
        this.recorder = recorder;
        this.bean = bean;
    }

    LauncherState state() {
        return service.launcherState();
    }

    /** At start, before this object is reachable by an attach: an attach during the start wins over it. */
    synchronized void want(String launcher) {
        service.launcherState(state().wanting(launcher));
    }

    /** The library is loaded: the launcher asked for at start (or by a later attach) serves. */
    synchronized void loaded() {
        service.launcherState(state().libraryLoaded());
    }

    synchronized void loadFailed(String reason) {
        service.launcherState(state().loadFailed(reason));
    }

    synchronized void startFailed(String reason) {
        service.launcherState(state().startFailed(reason));
    }

    /** After a retry loaded the library: the launcher asked for at start (or by a later attach) now serves. */
    void loadedOnRetry() {
        loaded();
        publishStatus();
        AgentLog.stderr("INFO", "vfork-agent " + Agent.VERSION + ": native launcher loaded on retry; launcher="
                + state().launcher());
    }

    void publishStatus() {
        AgentStatus.active(state());
    }

    /**
     * Options from a later attach, applied to the running agent. Only {@code launcher} changes
     * behaviour at run time; any other option given is checked and named as needing a restart.
     *
     * @return one line saying what was done, also published as the status property
     */
    String control(String agentArgs) {
        String result;
        try {
            Options options = Options.parse(agentArgs, new Properties());
            List<String> applied = new ArrayList<>();
            synchronized (this) {
                // A bare attach (no option) means vfork, as at start-up; options without launcher= keep the
                // launcher asked for before (jmx=true alone once reset it to vfork).
                String launcher = options.given().contains("launcher") || options.given().isEmpty()
                        ? options.launcher() : state().wanted;
                LauncherState now = state().asked(launcher);
                service.launcherState(now);
                result = launcher.equals("vfork") && !now.loaded ? "vfork-agent: launcher stays jdk: " + now.reason
                        : "vfork-agent reconfigured launcher=" + launcher;
            }
            applied.addAll(recorder.reconfigure(options, options.given()));
            if (options.given().contains("jmx")) {
                bean.apply(options.flag("jmx")); // a registration still waiting for the first spawn reads it
                applied.add("jmx");
            }
            if (options.flag("help")) {
                System.err.print(Options.table());
            }
            for (String name : applied) {
                result += " " + name + "=" + options.get(name);
            }
            List<String> later = new ArrayList<>(options.given());
            later.removeAll(applied);
            later.removeAll(List.of("launcher", "help"));
            if (!later.isEmpty()) {
                result += "; not applied until a restart: " + String.join(", ", later);
            }
        } catch (IllegalArgumentException e) {
            result = "vfork-agent: " + e.getMessage() + "; nothing changed";
        }
        publishStatus();
        AgentStatus.lastControl(result);
        return result;
    }
}
