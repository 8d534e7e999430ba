#!/usr/bin/env bash
# The demo: build the agent, run a spawning application under it with a JFR recording, report.
set -euo pipefail
cd "$(dirname "$0")"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
out=target/demo
rm -rf "$out" && mkdir -p "$out"

echo "== building (./mvnw package, tests skipped)"
./mvnw -q -B -ntp -DskipTests package

echo "== running examples' DemoApp under -javaagent:agent/target/vfork-agent.jar with a JFR recording"
"$JAVA" -jar agent/target/vfork-agent.jar jfc > "$out/vfork-agent.jfc"
"$JAVA" -javaagent:agent/target/vfork-agent.jar \
  -XX:StartFlightRecording=filename="$out/demo.jfr",settings=default,settings="$out/vfork-agent.jfc" \
  -cp examples/target/classes io.vforkagent.examples.DemoApp "$out/work"

echo "== java -jar agent/target/vfork-agent.jar report $out/demo.jfr --html $out/report.html"
"$JAVA" -jar agent/target/vfork-agent.jar report "$out/demo.jfr" --html "$out/report.html"

echo
echo "Recording: $out/demo.jfr"
echo "HTML report: $out/report.html"
