#!/bin/sh
# Reads `objdump -d` of libvforkagent.so on stdin and checks that no function reachable from
# the given one ($1, child_main) calls out of the library: no PLT entry (a libc function), no
# indirect call. Works for x86-64 (call/jmp) and aarch64 (bl/b/blr) alike. Prints the
# functions it checked; exits 1 naming the offending instruction.
exec awk -v start="$1" '
/^[0-9a-f]+ <[^>]+>:$/ { name = $2; gsub(/[<>:]/, "", name); next }
name != "" && NF { body[name] = body[name] "\n" $0 }
END {
    todo[start] = 1; n = 0
    while (1) {
        f = ""
        for (k in todo) { f = k; break }
        if (f == "") break
        delete todo[f]
        if (f in done) continue
        done[f] = 1; n++; list = list " " f
        if (!(f in body)) { print "check-child: no function " f " in the disassembly"; exit 1 }
        m = split(body[f], lines, "\n")
        for (i = 1; i <= m; i++) {
            l = lines[i]
            if (l ~ /@plt>/) { print "check-child: " f " calls out of the library:" l; exit 1 }
            if (l ~ /[ \t](call|callq)[ \t]+\*/ || l ~ /[ \t]blr[ \t]/) {
                print "check-child: " f " makes an indirect call:" l; exit 1
            }
            # A branch to the start of another function (no +offset): follow it.
            if (l ~ /[ \t](call|callq|jmp|jmpq|bl|b)[ \t]+[0-9a-f]+ <[^+>]+>/) {
                t = l; sub(/.*</, "", t); sub(/>.*/, "", t)
                if (t != f) todo[t] = 1
            }
        }
    }
    print "ok child code makes raw system calls only (" n " functions:" list " )"
}'
