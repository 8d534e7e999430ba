#!/bin/sh
# Makes sure Debian's aarch64 cross compiler is there: the agent jar carries the linux-aarch64
# library beside linux-x86-64's, so every build compiles both (native/pom.xml runs this first).
# Missing and run as root with apt-get: installs gcc-aarch64-linux-gnu. Otherwise it says what
# to install and fails; no jar without the aarch64 library is built.
cc=${1:-aarch64-linux-gnu-gcc}
command -v "$cc" >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "vfork-agent build: no $cc; installing gcc-aarch64-linux-gnu with apt-get" >&2
    install() {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o DPkg::Lock::Timeout=600 gcc-aarch64-linux-gnu >&2
    }
    # A fresh machine may have no package lists yet (or stale ones): update once and retry.
    install || { apt-get update -q -o DPkg::Lock::Timeout=600 >&2 && install; }
    command -v "$cc" >/dev/null 2>&1 && exit 0
fi
echo "vfork-agent build: FAIL: no $cc (the aarch64 cross compiler). Install it as root:" \
    "apt-get install gcc-aarch64-linux-gnu (see docs/platforms.md)" >&2
exit 1
