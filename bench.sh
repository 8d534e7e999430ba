#!/usr/bin/env bash
# The benchmarks: every launcher side by side in one run (see README, Performance).
#   ./bench.sh           full run (about 7 minutes on 2 cores)
#   ./bench.sh --quick   quick run (under 2 minutes)
set -euo pipefail
cd "$(dirname "$0")"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
./mvnw -q -B -ntp -DskipTests package
make -s -C native OUT="$PWD/native/target/native" bench
"$JAVA" -cp examples/target/classes io.vforkagent.examples.bench.BenchRunner \
  "$PWD/agent/target/vfork-agent.jar" "$PWD/native/target/native/spawn_bench" "$@"
echo
echo "recording path alone, per spawn and its exit (the agent's calls, no process):"
"$JAVA" -cp agent/target/classes:agent/target/test-classes io.vforkagent.bench.RecordingCost
