package io.vforkagent.core.record;

import java.util.concurrent.atomic.LongAdder;

/** Latency since the start and per statistics period, with the period's counts. */
final class SpawnFigures {
    /** One period's figures, for the statistics event. */
    record Period(long spawns, long failures, long p50Nanos, long p99Nanos, long maxNanos, long liveChildren) {
    }

    private final LatencyHistogram periodLatency = new LatencyHistogram();
    private final LatencyHistogram totalLatency = new LatencyHistogram();
    private final LongAdder periodSpawns = new LongAdder();
    private final LongAdder periodFailures = new LongAdder();
    private final LongAdder exits = new LongAdder();
    /** Only the statistics event reads the per-period figures: none are kept until it exists. */
    private volatile boolean periods;

    void keepPeriods() {
        periods = true;
    }

    boolean keepsPeriods() {
        return periods;
    }

    void spawned(long nanos) {
        if (periods) {
            periodSpawns.increment();
            periodLatency.add(nanos);
        }
        totalLatency.add(nanos);
    }

    void failed() {
        if (periods) {
            periodFailures.increment();
        }
    }

    void exited() {
        exits.increment();
    }

    long exits() {
        return exits.sum();
    }

    LatencyHistogram.Snapshot latency() {
        return totalLatency.snapshot(false);
    }

    /** The period just ended, started anew; null when nothing was spawned in it. */
    Period takePeriod(long liveChildren) {
        long spawns = periodSpawns.sumThenReset();
        long failures = periodFailures.sumThenReset();
        LatencyHistogram.Snapshot s = periodLatency.snapshot(true);
        if (spawns == 0 && failures == 0) {
            return null;
        }
        return new Period(spawns, failures, s.percentileNanos(0.5), s.percentileNanos(0.99), s.maxNanos, liveChildren);
    }
}
