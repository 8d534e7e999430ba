package io.vforkagent.core.record;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LatencyHistogramTest {
    @Test
    void percentilesAreBucketUpperBoundsCappedByMax() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 98; i++) {
            h.add(300_000); // 300 us -> bucket up to 512 us
        }
        h.add(5_000_000); // 5 ms -> bucket up to 8192 us
        h.add(7_000_000);
        LatencyHistogram.Snapshot s = h.snapshot(false);
        assertEquals(100, s.total);
        assertEquals(512_000, s.percentileNanos(0.5));
        assertEquals(7_000_000, s.percentileNanos(0.99));
        assertEquals(7_000_000, s.maxNanos);
    }

    @Test
    void resetStartsANewPeriod() {
        LatencyHistogram h = new LatencyHistogram();
        h.add(1000);
        assertEquals(1, h.snapshot(true).total);
        LatencyHistogram.Snapshot empty = h.snapshot(true);
        assertEquals(0, empty.total);
        assertEquals(0, empty.percentileNanos(0.5));
        assertEquals(0, empty.maxNanos);
    }
}
