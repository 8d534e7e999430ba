package io.vforkagent.core.record;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpawnHelperFailureTest {
    @Test
    void onlyTheJdkLaunchersHelperFailureIsRecognised() {
        assertNull(SpawnHelperFailure.diagnose("POSIX_SPAWN", "error=2, No such file or directory"));
        assertNull(SpawnHelperFailure.diagnose("vfork", "error=0, Failed to exec spawn helper: pid: 1, exit value: 1"));
        assertNull(SpawnHelperFailure.diagnose("POSIX_SPAWN", null));
        String d17 = SpawnHelperFailure.diagnose("POSIX_SPAWN", "error=0, Failed to exec spawn helper: pid: 7, exit value: 1");
        String d25 = SpawnHelperFailure.diagnose("POSIX_SPAWN", "Failed to exec spawn helper: pid: 7, exit code: 1, "
                + "error: 0 (none) \nPossible reasons:\n  - Spawn helper ran into JDK version mismatch\n");
        assertTrue(d17 != null && d17.startsWith("the JDK launcher's helper " + System.getProperty("java.home")
                + "/lib/jspawnhelper refused this JVM: "), d17);
        assertEquals(d17, d25);
        assertTrue(d17.endsWith(" attach " + ProcessHandle.current().pid()
                + " launcher=vfork (vfork-agent's launcher runs no helper)"), d17);
    }

    @Test
    void namesTheVersionNowOnDisk(@TempDir Path home) throws Exception {
        assertEquals("the JDK launcher's helper " + home + "/lib/jspawnhelper refused this JVM: most likely the JDK was"
                + " upgraded in place under this running JVM; every spawn through the JDK launcher fails until a"
                + " restart. Fix without a restart: java -jar /x/vfork-agent.jar attach 12 launcher=vfork (vfork-agent's"
                + " launcher runs no helper)", SpawnHelperFailure.text(home.toString(), "17.0.15+6", "/x/vfork-agent.jar", 12));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.16\"\nJAVA_RUNTIME_VERSION=\"17.0.16+8\"\n");
        assertTrue(SpawnHelperFailure.text(home.toString(), "17.0.15+6", "/x/vfork-agent.jar", 12).contains(
                ": the JDK was upgraded in place under this running JVM (" + home + " is now 17.0.16+8, this JVM runs"
                + " 17.0.15+6); every spawn"));
        assertTrue(SpawnHelperFailure.text(home.toString(), "17.0.16+8", "/x/vfork-agent.jar", 12).contains(
                ": most likely the JDK was upgraded"), "the same version on disk: no claim about it");
    }
}
