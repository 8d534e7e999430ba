#!/bin/busybox sh
# /init of the arm64 VM (native/arm64/run.sh packs it): runs the C tests of the aarch64 build and
# the parity scenarios on Debian's arm64 JDK 17 with and without the agent, prints "arm64: "
# lines on the console, and powers off. Nothing here writes outside the VM's tmpfs.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8
JAVA=/usr/lib/jvm/java-17-openjdk-arm64/bin/java
V=/vfa
passed=0
failed=0

say() { echo "arm64: $*"; }
ok() { passed=$((passed + 1)); say "ok $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
now() { cut -d' ' -f1 /proc/uptime; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
finish() {
    say "$passed passed, $failed failed"
    say "RESULT $([ "$failed" = 0 ] && [ "$passed" -gt 0 ] && echo PASS || echo FAIL)"
    poweroff -f
}
trap finish EXIT

say "kernel $(uname -r) $(uname -m), $(nproc) cpus, $(awk '/MemTotal/ {print $2 / 1024 " MiB"}' /proc/meminfo)"
[ "$(uname -m)" = aarch64 ] && ok "kernel is aarch64" || fail "kernel is $(uname -m), not aarch64"

# 1. The C tests of the aarch64 build (native/src/test/c), against the real arm64 kernel.
t=$(now)
cd /tmp
$V/c/test_launcher > /tmp/c-tests.txt 2>&1
code=$?
sed 's/^/arm64: c: /' /tmp/c-tests.txt
summary=$(tail -n 1 /tmp/c-tests.txt)
if [ "$code" = 0 ] && echo "$summary" | grep -q ' passed, 0 failed$'; then
    ok "C tests ($summary) in $(took "$t") s"
else
    fail "C tests exited $code: $summary"
fi

# 2. The parity scenarios (agent/src/test/java/.../it/Scenarios.java, compiled on the host with
# --release 17): without the agent, then with it; the same work directory and environment.
"$JAVA" -version 2>&1 | sed 's/^/arm64: /'
# Emulation is slow at compiling: C1 only, and one GC thread. Neither touches how processes are
# spawned; both runs get the same.
JVM_FLAGS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
say "JVM flags: $JVM_FLAGS"
run() { # name, JVM options...
    name=$1
    shift
    rm -rf /tmp/work
    t=$(now)
    (cd /tmp && VFA_PARITY="parity value" "$JAVA" $JVM_FLAGS "$@" -cp $V/classes io.vforkagent.it.Scenarios \
        /tmp/$name.properties /tmp/work > /tmp/$name.out 2> /tmp/$name.err)
    code=$?
    say "scenarios $name: exit $code in $(took "$t") s"
    [ "$code" = 0 ] || { fail "scenarios JVM $name exited $code"; sed "s/^/arm64: $name stderr: /" /tmp/$name.err; }
}
run jdk
run vfork -javaagent:$V/vfork-agent.jar -Dvfa.expectAgent=true
cut -c1-240 /tmp/vfork.err | sed 's/^/arm64: vfork stderr: /' # the agent's lines, shortened

# One line per key, without the comment lines, the agent's figures and the signal state
# (compared apart below), sorted: the canonical form of a run.
canon() { grep -v '^#' "$1" | grep -v -e '^agent\.' -e '^signals\.' | sort; }
canon /tmp/jdk.properties > /tmp/jdk.canon
canon /tmp/vfork.properties > /tmp/vfork.canon
# Per scenario (the key's part before the first dot): ok when both runs have the same keys and values.
awk -F= '
FNR == 1 { run++ }
{ key = $0; sub(/=.*/, "", key); split(key, p, "."); s = p[1]; scen[s] = 1
  if (run == 1) a[s] = a[s] "\n" $0; else b[s] = b[s] "\n" $0 }
END { for (s in scen) {
        if (a[s] == b[s]) print "ok parity " s
        else { x = a[s]; y = b[s]; gsub(/\n/, " | ", x); gsub(/\n/, " | ", y)
               print "FAIL parity " s ": without the agent" substr(x, 1, 300) " || with it" substr(y, 1, 300) } } }
' /tmp/jdk.canon /tmp/vfork.canon | sort > /tmp/parity.txt
n=$(grep -c '^ok' /tmp/parity.txt)
bad=$(grep -c '^FAIL' /tmp/parity.txt)
grep '^FAIL' /tmp/parity.txt | while read -r line; do say "$line"; done
[ "$bad" = 0 ] && [ "$n" -gt 40 ] && ok "parity: $n scenarios the same with and without the agent" \
    || fail "parity: $bad of $((n + bad)) scenarios differ"
cmp -s /tmp/jdk.out /tmp/vfork.out && ok "parity: inherited stdout the same" || fail "parity: inherited stdout differs"

# The comparison itself observed real outcomes (a broken scenario would compare equal).
prop() { grep "^$2=" "/tmp/$1.properties" | head -n 1 | cut -d= -f2-; }
expect() { # run, key, value
    v=$(prop "$1" "$2")
    [ "$v" = "$3" ] && ok "$1 $2=$3" || fail "$1 $2 is '$v', expected '$3'"
}
expect jdk output.stdout 'hello\n'
expect jdk output.exit 3
expect jdk killedBySignal.exit 137
expect jdk threads16.threadsAllGood 16
expect jdk pid.pidMatches true
grep -q '\.thrown=' /tmp/jdk.properties && fail "a scenario threw: $(grep '\.thrown=' /tmp/jdk.properties | head -n 3)" \
    || ok "no scenario threw"

# 3. Proof that the vfork launcher served the agent's run: its MBean, its start line.
expect jdk agent.registered false
expect vfork agent.registered true
expect vfork agent.Launcher vfork
expect vfork agent.JdkSpawns 0
expect vfork agent.FallbackReason ''
spawns=$(prop vfork agent.VforkSpawns)
[ "${spawns:-0}" -ge 400 ] && ok "vfork spawns: $spawns" || fail "vfork spawns: '$spawns'"
failures=$(prop vfork agent.Failures)
[ "${failures:-0}" -ge 9 ] && ok "failed spawns reported through the shared memory: $failures ($(prop vfork agent.FailuresByErrno))" \
    || fail "failures: '$failures'"
grep -q 'vfork-agent started .*launcher=vfork .*library=linux-aarch64-glibc' /tmp/vfork.err \
    && ok "start line: launcher=vfork library=linux-aarch64-glibc" || fail "no start line with launcher=vfork on linux-aarch64"
expect vfork signals.SigBlk 0000000000000000
expect vfork signals.SigCgt 0000000000000000

# 4. doctor: the platform line and a test spawn through the vfork launcher.
t=$(now)
(cd /tmp && "$JAVA" $JVM_FLAGS -jar $V/vfork-agent.jar doctor > /tmp/doctor.txt 2>&1)
code=$?
sed 's/^/arm64: doctor: /' /tmp/doctor.txt
[ "$code" = 0 ] && ok "doctor passes in $(took "$t") s" || fail "doctor exited $code"
grep -q 'platform .*Linux aarch64: library linux-aarch64 (glibc)' /tmp/doctor.txt && ok "doctor names the platform" \
    || fail "doctor's platform line"
