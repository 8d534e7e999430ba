package io.vforkagent.core.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class PerfDataTest {
    private static Path own() {
        return Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"),
                String.valueOf(ProcessHandle.current().pid()));
    }

    @Test
    void readsThisJvmsOwnPerformanceData() throws Exception {
        assumeTrue(Files.isRegularFile(own()), "this JVM writes performance data");
        Map<String, Object> perf = PerfData.read(own());
        assertEquals(System.getProperty("java.home"), perf.get("java.property.java.home"));
        assertEquals(System.getProperty("java.vm.version"), perf.get("java.property.java.vm.version"));
        assertEquals(System.getProperty("java.version"), perf.get("java.property.java.version"));
        long begin = (Long) perf.get("sun.rt.createVmBeginTime");
        long started = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        assertTrue(Math.abs(begin - started) < 5_000, begin + " vs " + started);
    }

    @Test
    void malformedDataNeverThrows() throws Exception {
        assumeTrue(Files.isRegularFile(own()), "this JVM writes performance data");
        byte[] good = Files.readAllBytes(own());
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
            for (int j = 0; j < 8 && bad.length > 0; j++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt();
            }
            PerfData.parse(bad); // any answer, no exception
        }
        assertTrue(PerfData.parse(new byte[0]).isEmpty());
        assertTrue(PerfData.parse(new byte[64]).isEmpty(), "no magic, no counters");
    }

    @Test
    void aFifoOrALinkIsNotRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertTrue(PerfData.read(fifo).isEmpty(), "returned at once instead of blocking on the fifo");
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, Files.writeString(dir.resolve("file"), "not perfdata"));
        assertTrue(PerfData.read(link).isEmpty());
    }
}
