#!/usr/bin/env bash
# The soak: StressApp (the CI stress test's application, agent/src/test/java/io/vforkagent/it) under
# the agent for many more iterations, so the soak checks exactly what CI checks, only longer.
#   examples/soak.sh [iterations per thread, default 20000]   (8 threads; about 7 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
iterations="${1:-20000}"
./mvnw -q -B -ntp -DskipTests package
mkdir -p target/soak
"$JAVA" -javaagent:agent/target/vfork-agent.jar -Xmx256m -cp agent/target/test-classes \
  io.vforkagent.it.StressApp 8 "$iterations" target/soak/work > target/soak/stdout.txt 2> target/soak/stderr.txt
grep -E '^(STRESS|AGENT)' target/soak/stdout.txt
grep -c '^BAD' target/soak/stderr.txt >/dev/null && { echo "soak: BAD lines in target/soak/stderr.txt" >&2; exit 1; } || true
