package io.vforkagent.core.record;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Spawn latencies in power-of-two microsecond buckets: one uncontended add per spawn, and
 * percentiles good to a factor of two, which is what an operator needs to see a regression.
 */
public final class LatencyHistogram {
    private static final int BUCKETS = 40;
    private final LongAdder[] counts = new LongAdder[BUCKETS];
    private final AtomicLong max = new AtomicLong();

    public LatencyHistogram() {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] = new LongAdder();
        }
    }

    /** The power-of-two microsecond bucket of a latency (i: up to 2^i us), at most {@code last}. */
    public static int bucket(long nanos, int last) {
        long micros = Math.max(1, nanos / 1000);
        return Math.min(last, 64 - Long.numberOfLeadingZeros(micros - 1));
    }

    public void add(long nanos) {
        counts[bucket(nanos, BUCKETS - 1)].increment();
        long m = max.get();
        while (nanos > m && !max.compareAndSet(m, nanos)) {
            m = max.get();
        }
    }

    /** A frozen copy; with {@code reset}, the histogram starts over (for per-period figures). */
    public Snapshot snapshot(boolean reset) {
        long[] c = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = reset ? counts[i].sumThenReset() : counts[i].sum();
        }
        return new Snapshot(c, reset ? max.getAndSet(0) : max.get());
    }

    /** Counts per bucket; bucket i holds latencies up to 2^i microseconds. */
    public static final class Snapshot {
        private final long[] counts;
        public final long maxNanos;
        public final long total;

        Snapshot(long[] counts, long maxNanos) {
            this.counts = counts;
            this.maxNanos = maxNanos;
            long t = 0;
            for (long c : counts) {
                t += c;
            }
            this.total = t;
        }

        /** Upper bound of the bucket holding quantile q (0..1), never above the maximum seen. */
        public long percentileNanos(double q) {
            if (total == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= rank) {
                    return Math.min(maxNanos, (1L << i) * 1000);
                }
            }
            return maxNanos;
        }
    }
}
