package io.vforkagent.core.report;

import io.vforkagent.core.record.ProcessExitEvent;
import io.vforkagent.core.record.SpawnEvent;
import io.vforkagent.core.record.SpawnFailureEvent;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A recording keeps raw values, as the JDK's own events do (a program name may hold a CR or an
 * ESC sequence); every rendering of the report escapes them, so none reaches a terminal raw.
 */
class ReportEscapingTest {
    private static final String EVIL = "evil\rforged\u001b[2J\u009b\u202ex";

    @TempDir
    Path dir;

    private static boolean rawControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\n' || c == 0x7f || c >= 0x80 && c <= 0x9f || c == 0x202e);
    }

    @Test
    void everyRenderingEscapesRecordedText() throws Exception {
        Path file = dir.resolve("evil.jfr");
        try (Recording r = new Recording()) {
            r.enable(SpawnEvent.class).withThreshold(java.time.Duration.ZERO);
            r.enable(SpawnFailureEvent.class);
            r.enable(ProcessExitEvent.class);
            r.start();
            SpawnEvent e = new SpawnEvent();
            e.begin();
            e.end();
            e.program = EVIL;
            e.pid = 300;
            e.launcher = "vfork";
            e.commit();
            SpawnFailureEvent f = new SpawnFailureEvent();
            f.program = EVIL;
            f.errnoName = "ENOENT";
            f.step = "exec";
            f.message = "Cannot run program \"" + EVIL + "\": error=2, No such file or directory";
            f.commit();
            ProcessExitEvent x = new ProcessExitEvent();
            x.pid = 300;
            x.program = EVIL;
            x.signal = "";
            x.lifetimeNanos = 1_000_000;
            x.userCpuNanos = 5_000_000;
            x.maxRssBytes = -1;
            x.commit();
            r.stop();
            r.dump(file);
        }
        SpawnReport report = SpawnReport.read(file);
        for (String rendered : new String[] {TextReport.render(report), HtmlReport.render(report),
            JsonReport.render(report)}) {
            assertFalse(rawControl(rendered), rendered);
            assertTrue(rendered.contains("evil\\rforged\\u001b[2J\\u009b\\u202ex"), rendered);
        }
    }
}
