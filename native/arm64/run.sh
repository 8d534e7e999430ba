#!/usr/bin/env bash
# The arm64 stage: boots Debian's arm64 kernel in full-system emulation (qemu-system-aarch64;
# qemu's user-mode emulation would turn CLONE_VM|CLONE_VFORK into a fork) on a root file system
# made of Debian's arm64 packages (busybox, glibc, OpenJDK 17), and runs there the C tests of the
# aarch64 build and the parity scenarios with and without the agent (vm-init.sh). Everything comes
# from Debian's registry through apt; downloads and the assembled root file system are cached.
#
#   native/arm64/run.sh        (as root where packages are missing; see docs/platforms.md)
#
# Uses agent/target/vfork-agent.jar and the compiled Scenarios of the last build (./mvnw package
# or verify; built here when missing). Exits 0 only when the VM reports every check passed.
# Environment: VFA_ARM64_CACHE (default ~/.cache/vfork-agent-arm64), VFA_ARM64_TIMEOUT (s, 2400).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${VFA_ARM64_CACHE:-${HOME:-/root}/.cache/vfork-agent-arm64}
timeout_s=${VFA_ARM64_TIMEOUT:-2400}
work=$repo/native/target/arm64
start=$SECONDS
log() { echo "arm64-stage: $*" >&2; }
die() { log "FAIL: $*"; exit 1; }
phase() { log "$1 ($((SECONDS - start)) s)"; }

# Host tools, from Debian's packages.
need=()
command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm)
command -v cpio >/dev/null || need+=(cpio)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them as root: apt-get install ${need[*]}"
    log "installing ${need[*]}"
    inst() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=600 "${need[@]}" >&2; }
    inst || { apt-get update -q -o DPkg::Lock::Timeout=600 >&2 && inst; }
fi

# What runs in the VM, from this work tree.
jar=$repo/agent/target/vfork-agent.jar
classes=$repo/agent/target/test-classes/io/vforkagent/it
if [ ! -f "$jar" ] || [ ! -f "$classes/Scenarios.class" ] \
    || [ -n "$(find "$repo/agent/src/main" "$repo/native/src/main" "$repo/agent/pom.xml" \
        "$repo/agent/src/test/java/io/vforkagent/it/Scenarios.java" -newer "$jar" 2>/dev/null | head -n 1)" ]; then
    log "no agent jar or test classes, or older than their sources: ./mvnw -DskipTests package"
    (cd "$repo" && ./mvnw -q -B -ntp -DskipTests package) >&2
fi
make -s -C "$repo/native" OUT="$repo/native/target/native" aarch64 >&2
cbuild=$repo/native/target/native/linux-aarch64
phase "host ready"

# Debian's arm64 packages, with apt's state kept in the cache (the host's apt and dpkg are not
# told about arm64). The lists are refreshed once a day, or when a download fails.
apt_opts=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$cache/apt/lists"
    -o "Dir::Cache=$cache/apt" -o Dir::State::status=/dev/null -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/debs"
update_lists() { apt-get "${apt_opts[@]}" update >&2; }
if [ -z "$(find "$cache/apt/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n 1)" ]; then
    update_lists
fi
# The kernel package that the cloud flavour's metapackage names now.
kernel_pkg() { apt-cache "${apt_opts[@]}" depends linux-image-cloud-arm64 | awk '/Depends: linux-image-/ {print $2; exit}'; }
kpkg=$(kernel_pkg)
[ -n "$kpkg" ] || { update_lists; kpkg=$(kernel_pkg); }
[ -n "$kpkg" ] || die "no linux-image-cloud-arm64 in Debian's arm64 lists"
packages=("$kpkg" busybox-static libc6 libc-bin zlib1g libgcc-s1 libstdc++6 openjdk-17-jre-headless)
# One apt-cache call for every version (each call reads all the lists).
declare -A candidate
while read -r p v; do candidate[$p]=$v; done < <(apt-cache "${apt_opts[@]}" policy "${packages[@]}" \
    | awk '/^[^ ].*:$/ {p = $1; sub(/:$/, "", p)} /Candidate:/ {print p, $2}')
debs=()
for p in "${packages[@]}"; do
    version=${candidate[$p]:-}
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "no candidate for $p:arm64"
    deb=$cache/debs/${p}_${version//:/%3a}_arm64.deb
    if [ ! -s "$deb" ]; then
        (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$p=$version" >&2) \
            || { update_lists; (cd "$cache/debs" && apt-get "${apt_opts[@]}" download "$p" >&2); }
        deb=$(ls -t "$cache/debs/${p}_"*_arm64.deb | head -n 1)
    fi
    debs+=("$deb")
done
phase "packages ready: ${packages[*]}"

# The base root file system as a cpio archive, rebuilt only when a package or its layout (below)
# changed. Merged /usr like Debian 12: /bin, /sbin and /lib are links into /usr.
layout=1
key=$(printf '%s\n' "${debs[@]##*/}" "layout $layout" | sha256sum | cut -c1-16)
base=$cache/base-$key.cpio
kernel=$cache/vmlinuz-$key
if [ ! -s "$base" ] || [ ! -s "$kernel" ]; then
    rm -f "$cache"/base-*.cpio "$cache"/vmlinuz-*
    tmp=$(mktemp -d "$cache/root.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/root" "$tmp/kernel"
    for d in "${debs[@]}"; do
        case ${d##*/} in
            linux-image-*) dpkg-deb -x "$d" "$tmp/kernel" ;;
            *) dpkg-deb -x "$d" "$tmp/root" ;;
        esac
    done
    r=$tmp/root
    for d in bin sbin lib; do
        if [ -d "$r/$d" ] && [ ! -L "$r/$d" ]; then
            mkdir -p "$r/usr/$d" && cp -a "$r/$d/." "$r/usr/$d/" && rm -rf "${r:?}/$d"
        fi
        ln -sfn "usr/$d" "$r/$d"
    done
    # No documentation, no compiler symbol table (javac's). libc-bin is there for its C.UTF-8 locale.
    rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/lintian" "$r"/usr/lib/jvm/*/lib/ct.sym
    mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/root" "$r/etc"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
    (cd "$r" && find . | cpio -o -H newc --quiet > "$tmp/base.cpio")
    mv "$tmp/base.cpio" "$base"
    cp "$(ls "$tmp"/kernel/boot/vmlinuz-*)" "$kernel"
    rm -rf "$tmp"
    trap - EXIT
fi
phase "root file system ready ($(du -m "$base" | cut -f1) MiB)"

# This run's part: /init, the agent jar, the Scenarios classes, the aarch64 C tests. Appended
# to the base archive (the kernel unpacks concatenated archives in turn).
rm -rf "$work" && mkdir -p "$work/payload/vfa/c" "$work/payload/vfa/classes/io/vforkagent/it"
cp "$here/vm-init.sh" "$work/payload/init" && chmod 755 "$work/payload/init"
cp "$jar" "$work/payload/vfa/vfork-agent.jar"
cp "$classes"/Scenarios*.class "$work/payload/vfa/classes/io/vforkagent/it/"
cp "$cbuild/test_launcher" "$cbuild/libvforkagent.so" "$work/payload/vfa/c/"
(cd "$work/payload" && find . | cpio -o -H newc --quiet > "$work/payload.cpio")
cat "$base" "$work/payload.cpio" > "$work/root.cpio"
rm -f "$work/payload.cpio"

# Boot. -smp 2: the launcher's races need two real CPUs; TCG runs one host thread per CPU.
phase "booting $kpkg"
vm_start=$SECONDS
set +e
timeout "$timeout_s" qemu-system-aarch64 -M virt -cpu cortex-a57 -smp 2 -m 3072 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$work/root.cpio" -append "console=ttyAMA0 rdinit=/init quiet panic=-1" \
    < /dev/null 2>&1 | sed -u 's/\r$//' | tee "$work/console.log" | grep --line-buffered '^arm64: '
qemu=${PIPESTATUS[0]}
set -e
rm -f "$work/root.cpio"
log "VM ran $((SECONDS - vm_start)) s (qemu exit $qemu); stage total $((SECONDS - start)) s; console: $work/console.log"
[ "$qemu" != 124 ] || die "the VM did not finish in $timeout_s s"
grep -q '^arm64: RESULT PASS$' "$work/console.log" || die "the VM did not report RESULT PASS"
log "PASS"
