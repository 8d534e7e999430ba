package io.vforkagent.core;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters updated on every spawn: LongAdder, so 16 spawning threads do not contend. */
public final class SpawnStats {
    final LongAdder vforkSpawns = new LongAdder();
    final LongAdder jdkSpawns = new LongAdder();
    final LongAdder failures = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> failuresByErrno = new ConcurrentHashMap<>();

    /** One launch, by its outcome. */
    void count(io.vforkagent.core.launch.SpawnOutcome o) {
        if (!o.started()) {
            failed(o.errnoName());
        } else if (o.byJdk()) {
            jdkSpawns.increment();
        } else {
            vforkSpawns.increment();
        }
    }

    /** @param errnoName ENOENT, EAGAIN…; "" when the errno is not known */
    void failed(String errnoName) {
        failures.increment();
        String key = errnoName.isEmpty() ? "unknown" : errnoName;
        LongAdder n = failuresByErrno.get(key);
        if (n == null) {
            // no computeIfAbsent: its lambda would cost the first failure a bootstrap
            LongAdder fresh = new LongAdder();
            n = failuresByErrno.putIfAbsent(key, fresh);
            if (n == null) {
                n = fresh;
            }
        }
        n.increment();
    }

    public long vforkSpawns() {
        return vforkSpawns.sum();
    }

    public long jdkSpawns() {
        return jdkSpawns.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** Errno name to count, sorted by name. */
    public Map<String, Long> failuresByErrno() {
        Map<String, Long> copy = new TreeMap<>();
        for (Map.Entry<String, LongAdder> e : failuresByErrno.entrySet()) {
            copy.put(e.getKey(), e.getValue().sum());
        }
        return copy;
    }
}
