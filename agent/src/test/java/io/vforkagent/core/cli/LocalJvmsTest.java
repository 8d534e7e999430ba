package io.vforkagent.core.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LocalJvmsTest {
    @Test
    void mainOfACommandLine() {
        assertEquals("com.example.Main", LocalJvms.mainOf(List.of("java", "-Xmx1g", "-cp", "a:b", "com.example.Main", "x")));
        assertEquals("app.jar", LocalJvms.mainOf(List.of("/usr/bin/java", "-Dk=v", "-jar", "app.jar", "--flag")));
        assertEquals("mod/com.example.Main", LocalJvms.mainOf(List.of("java", "--module-path", "m", "-m",
                "mod/com.example.Main")));
        assertEquals("?", LocalJvms.mainOf(List.of("java", "-version")));
    }

    @Test
    void textFromAnotherUsersProcessCannotReachTheTerminal() {
        assertEquals("evil?[2Jmain?", LocalJvms.printable("evil\u001b[2Jmain\u009b"));
        assertEquals("\"a\\\"b\\u001b\"", JvmList.quote("a\"b\u001b"));
    }

    @Test
    void theFailureTextOfEachJdk() {
        assertEquals("Cannot run program \"...\": error=0, Failed to exec spawn helper: pid: N, exit value: 1",
                JvmList.failure("17.0.15+6-Debian-1deb12u1"));
        assertEquals("Cannot run program \"...\": Failed to exec spawn helper: pid: N, exit code: 1, error: 0 (none)",
                JvmList.failure("25.0.3+9-LTS"));
    }
}
