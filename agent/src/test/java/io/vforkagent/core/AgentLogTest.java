package io.vforkagent.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class AgentLogTest {
    @Test
    void escapesWhatMustNotReachATerminalRaw() {
        assertEquals("a\\u001b[2Jb\\rc\\nd\\te\\u007f\\u009b\\u202e\\u2028", AgentLog.escape("a\u001b[2Jb\rc\nd\te\u007f\u009b\u202e\u2028"));
        String plain = "plain text: \"quotes\" \\ and ünïcödé";
        assertSame(plain, AgentLog.escape(plain), "nothing to escape: the same string, no copy");
    }

    /** A message with a CR and ESC (from an argument, a path, an option) is one plain line on stderr. */
    @Test
    void stderrLinesAreEscaped() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            AgentLog.stderr("WARN", "bad\rfake line\u001b[31m");
            AgentLog.warnStderr("agent-log-test", "x\ny");
        } finally {
            System.setErr(saved);
        }
        assertEquals("[vfork-agent] WARN bad\\rfake line\\u001b[31m" + System.lineSeparator()
                + "[vfork-agent] WARN x\\ny" + System.lineSeparator(), buf.toString(StandardCharsets.UTF_8));
    }
}
