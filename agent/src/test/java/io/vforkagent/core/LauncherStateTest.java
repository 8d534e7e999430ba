package io.vforkagent.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's transitions: what serves, whether the JDK's reaper waits with wait4, and why. */
class LauncherStateTest {
    private static void assertState(String wanted, boolean loaded, String launcher, String reason, LauncherState s) {
        assertEquals(wanted, s.wanted, s.toString());
        assertEquals(loaded, s.loaded, s.toString());
        assertEquals(launcher, s.launcher(), s.toString());
        assertEquals(launcher.equals("vfork"), s.vfork, s.toString());
        assertEquals(reason, s.reason, s.toString());
    }

    @Test
    void beforeTheLoadTheJdkLauncherServes() {
        assertState("vfork", false, "jdk", "", LauncherState.STARTING);
    }

    @Test
    void theLoadPutsTheWantedLauncherInPlace() {
        assertState("vfork", true, "vfork", "", LauncherState.STARTING.libraryLoaded());
        // launcher=jdk at start: the library still loads, for the reaper's wait4.
        assertState("jdk", true, "jdk", "launcher=jdk", LauncherState.STARTING.wanting("jdk").libraryLoaded());
    }

    @Test
    void aFailedLoadKeepsTheJdkLauncherAndSaysWhy() {
        assertState("vfork", false, "jdk", "native launcher did not load: x",
                LauncherState.STARTING.loadFailed("native launcher did not load: x"));
    }

    /** Without the library vfork cannot serve: the wish is kept, the reason stays the load's. */
    @Test
    void askingForVforkWithoutTheLibraryChangesOnlyTheWish() {
        LauncherState failed = LauncherState.STARTING.wanting("jdk").loadFailed("no library");
        LauncherState asked = failed.asked("vfork");
        assertState("vfork", false, "jdk", "no library", asked);
        // A retry's load then applies the wish of the last attach, not that of the start.
        assertState("vfork", true, "vfork", "", asked.libraryLoaded());
    }

    @Test
    void askingForJdkThenVforkWithTheLibrary() {
        LauncherState jdk = LauncherState.STARTING.libraryLoaded().asked("jdk");
        assertState("jdk", true, "jdk", "launcher=jdk", jdk); // still loaded: the reaper keeps wait4
        assertState("vfork", true, "vfork", "", jdk.asked("vfork"));
    }

    /** An attach during the start (before the load) asks for jdk: the load then keeps jdk. */
    @Test
    void anAttachDuringTheStartWinsOverTheStartsOptions() {
        LauncherState s = LauncherState.STARTING.wanting("vfork").asked("jdk");
        assertState("jdk", false, "jdk", "launcher=jdk", s);
        assertState("jdk", true, "jdk", "launcher=jdk", s.libraryLoaded());
    }

    @Test
    void aFailedStartKeepsTheLauncherServingAndSaysWhy() {
        LauncherState s = LauncherState.STARTING.libraryLoaded().startFailed("agent start failed: x");
        assertState("vfork", true, "vfork", "agent start failed: x", s);
    }

    @Test
    void transitionsLeaveTheOldStateAsItWas() {
        LauncherState loaded = LauncherState.STARTING.libraryLoaded();
        loaded.asked("jdk");
        loaded.loadFailed("x");
        assertTrue(loaded.vfork);
        assertFalse(LauncherState.STARTING.loaded);
    }
}
