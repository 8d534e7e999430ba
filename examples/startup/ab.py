#!/usr/bin/env python3
"""Start-up cost of an agent, measured the way docs/performance.md ("Start-up: where it goes") did:
fresh JVMs, several configurations interleaved in rotating order, medians and p90.
usage: ab.py JAVA N PROGRAM CONFIG...   PROGRAM: Hello or First (its first statement spawns /bin/true)
CONFIG: 'none' or a path to an agent jar, optionally with options (vfork-agent.jar=jmx=false)
per config: wall ms, peak RSS MiB (wait4 ru_maxrss), first spawn ms (First), CPU ms (user+sys)"""
import os, sys, time, re, subprocess
java, n, prog = sys.argv[1], int(sys.argv[2]), sys.argv[3]
configs = sys.argv[4:]
here = os.path.dirname(os.path.abspath(__file__))
cp = os.path.join(os.environ.get("TMPDIR", "/tmp"), "vfork-agent-startup-classes")
if not os.path.exists(os.path.join(cp, prog + ".class")):
    javac = os.path.join(os.path.dirname(java), "javac")
    subprocess.run([javac, "--release", "17", "-d", cp, os.path.join(here, "Hello.java"), os.path.join(here, "First.java")],
                   check=True)
def run(cfg):
    cmd = [java] + ([] if cfg == "none" else ["-javaagent:" + cfg]) + ["-cp", cp, prog]
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1); os.close(r); os.close(w)
        os.dup2(os.open("/dev/null", os.O_WRONLY), 2)
        os.execv(cmd[0], cmd)
    os.close(w)
    out = b""
    while True:
        b = os.read(r, 65536)
        if not b: break
        out += b
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    if status != 0: raise SystemExit("failed: %s %s" % (cmd, out))
    m = re.search(r"FIRST_US (\d+)", out.decode())
    return wall, ru.ru_maxrss / 1024.0, int(m.group(1)) / 1000.0 if m else None, (ru.ru_utime + ru.ru_stime) * 1000
res = {c: [] for c in configs}
for i in range(n):
    k = i % len(configs)
    for c in configs[k:] + configs[:k]:
        res[c].append(run(c))
def q(xs, p):
    xs = sorted(xs); k = (len(xs) - 1) * p; f = int(k); c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)
print("%s %s n=%d   %17s %17s %17s %17s" % (os.path.basename(os.path.dirname(os.path.dirname(java))), prog, n,
      "wall ms p50/p90", "RSS MiB p50/p90", "spawn ms p50/p90", "cpu ms p50/p90"))
for c in configs:
    cols = []
    for j in range(4):
        xs = [r[j] for r in res[c] if r[j] is not None]
        cols.append("%7.1f / %7.1f" % (q(xs, .5), q(xs, .9)) if xs else "%17s" % "-")
    print("  %-14s %s" % (os.path.basename(c), "  ".join(cols)))
