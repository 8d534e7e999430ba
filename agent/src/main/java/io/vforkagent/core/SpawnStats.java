package io.vforkagent.core;

import java.util.concurrent.atomic.LongAdder;

/** Counters updated on every spawn: LongAdder, so 16 spawning threads do not contend. */
public final class SpawnStats {
    final LongAdder vforkSpawns = new LongAdder();
    final LongAdder jdkSpawns = new LongAdder();
    final LongAdder failures = new LongAdder();

    public long vforkSpawns() {
        return vforkSpawns.sum();
    }

    public long jdkSpawns() {
        return jdkSpawns.sum();
    }

    public long failures() {
        return failures.sum();
    }
}
