#!/usr/bin/env bash
# The soak: StressApp (the CI stress test's application, agent/src/test/java/io/vforkagent/it) under
# the agent for many more iterations; it checks what StressIT checks (output, exit codes, failures,
# descriptors, zombies, launcher), only longer.
#   examples/soak.sh [iterations per thread, default 20000]   (8 threads; about 7 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
iterations="${1:-20000}"
# Each thread cycles through 8 kinds of spawn, 2 of which fail: a multiple of 8 keeps the count exact.
(( iterations > 0 && iterations % 8 == 0 )) || { echo "soak: iterations must be a positive multiple of 8" >&2; exit 2; }
./mvnw -q -B -ntp -DskipTests package
mkdir -p target/soak
"$JAVA" -javaagent:agent/target/vfork-agent.jar -Xmx256m -cp agent/target/test-classes \
  io.vforkagent.it.StressApp 8 "$iterations" target/soak/work > target/soak/stdout.txt 2> target/soak/stderr.txt
grep -E '^(STRESS|AGENT)' target/soak/stdout.txt
# The checks StressIT makes, on the longer run.
fail() { echo "soak: $1 (see target/soak/)" >&2; exit 1; }
stress=$(grep '^STRESS' target/soak/stdout.txt) || fail "no STRESS line"
field() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<"$stress"; }
[ "$(field bad)" = 0 ] || fail "children with a wrong output or exit code"
[ "$(field fdsBefore)" = "$(field fdsAfter)" ] || fail "descriptors before and after differ"
[ "$(field zombies)" = 0 ] || fail "zombies left"
[ "$(field failures)" = $((8 * iterations / 4)) ] || fail "not every expected failure failed"
agent=$(grep '^AGENT' target/soak/stdout.txt) || fail "no AGENT line"
vfork=$(sed -E 's/.* vfork=([0-9]+).*/\1/' <<<"$agent")
[ "$vfork" -ge "$(field spawns)" ] || fail "not every spawn went through the vfork launcher"
grep -q '^BAD' target/soak/stderr.txt && fail "BAD lines in stderr"
echo "soak: ok"
