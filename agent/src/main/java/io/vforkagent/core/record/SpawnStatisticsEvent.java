package io.vforkagent.core.record;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** Spawning over the last period; committed only for periods in which something was spawned. */
@Name(SpawnStatisticsEvent.NAME)
@Label("Process Spawn Statistics")
@Category({"vfork-agent"})
@Description("Spawns, failures and latency over the last period")
@StackTrace(false)
@Period("1 s")
public class SpawnStatisticsEvent extends jdk.jfr.Event {
    public static final String NAME = "vforkagent.SpawnStatistics";

    @Label("Spawns")
    public long spawns;

    @Label("Failures")
    public long failures;

    @Label("Latency p50")
    @Description("Upper bound of the histogram bucket (power of two microseconds)")
    @Timespan
    public long p50Nanos;

    @Label("Latency p99")
    @Timespan
    public long p99Nanos;

    @Label("Latency Max")
    @Timespan
    public long maxNanos;

    @Label("Live Children")
    @Description("Children spawned and not yet reaped")
    public long liveChildren;
}
