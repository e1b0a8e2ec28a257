#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Where a shader's time goes on lavapipe: samples the JIT code llvmpipe generated for a running
# command, dumps that code from the live process and annotates its disassembly with the samples.
# A developer's tool (needs perf, gdb and objdump: apt-get install linux-perf gdb binutils).
#
#   scripts/llvmpipe_profile.sh OUTDIR COMMAND [ARGS...]
#   WARM=6 SECS=8 scripts/llvmpipe_profile.sh /tmp/prof build/bench/bench_gpu --formats int4+x8 \
#       --shapes 4096x4096 --no-model --reps 2000 --products 50
#
# The command must run for WARM + SECS seconds (the defaults 6 and 8): sampling starts after WARM
# seconds, when its pipelines are compiled and running. OUTDIR gets, for each executable anonymous
# mapping of the process (llvmpipe's JIT code), jit_ADDR.bin and, for those with ≥ 2 % of the
# samples, jit_ADDR.ann: the disassembly, each instruction prefixed by its share of all samples in
# percent; for those it also prints the hottest loops (a backward jump and its target) with their
# length in instructions, which against the bytes an iteration reads gives the kernel's
# instructions per byte (docs/gpu.md, "What a CPU device can reach"). Instructions on
# (%rsp) are spills and reloads; the small functions ending in `ret` that take 16-byte loads and
# transpose them are texel fetches.
set -euo pipefail
if [ $# -lt 2 ]; then
    sed -n '2,19p' "$0" >&2
    exit 2
fi
for tool in perf gdb objdump python3; do
    command -v "$tool" > /dev/null || { echo "llvmpipe_profile.sh: $tool is missing" >&2; exit 1; }
done
out=$1
shift
mkdir -p "$out"
rm -f "$out"/jit_*.bin "$out"/jit_*.ann
setsid "$@" > "$out/command.txt" 2>&1 &
pid=$!
trap 'kill "$pid" 2> /dev/null || true' EXIT
sleep "${WARM:-6}"
kill -0 "$pid" 2> /dev/null || { echo "llvmpipe_profile.sh: the command ended before sampling began" >&2; exit 1; }
perf record -F 2999 -p "$pid" -o "$out/perf.data" -- sleep "${SECS:-8}" > /dev/null 2>&1
cp "/proc/$pid/maps" "$out/maps"
grep -E " r-xp 00000000 00:00 0 *$" "$out/maps" | while read -r range _; do
    gdb -p "$pid" -batch -ex "dump binary memory $out/jit_${range%-*}.bin 0x${range%-*} 0x${range#*-}" > /dev/null 2>&1 || true
done
perf script -i "$out/perf.data" -F ip 2> /dev/null | sort | uniq -c > "$out/ips.txt"
python3 - "$out" << 'EOF'
import glob, os, re, subprocess, sys
out = sys.argv[1]
counts = {}
for line in open(os.path.join(out, "ips.txt")):
    n, ip = line.split()
    counts[int(ip, 16)] = counts.get(int(ip, 16), 0) + int(n)
total = sum(counts.values()) or 1
for path in sorted(glob.glob(os.path.join(out, "jit_*.bin"))):
    start = int(path.rsplit("_", 1)[1][:-4], 16)
    size = os.path.getsize(path)
    share = sum(n for ip, n in counts.items() if start <= ip < start + size) / total
    print(f"{start:#x} {size:7d} bytes {100 * share:5.1f} % of the samples")
    if share < 0.02:
        continue
    dis = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", f"--adjust-vma={start:#x}", path],
                         capture_output=True, text=True, check=True).stdout
    lines = []
    for line in dis.splitlines():
        head = line.split(":", 1)[0].strip()
        try:
            ip = int(head, 16)
        except ValueError:
            continue
        n = counts.get(ip, 0)
        lines.append((f"{100 * n / total:5.1f} " if n else "      ") + line.rstrip())
    with open(path[:-4] + ".ann", "w") as f:
        f.write("\n".join(lines) + "\n")
    # the loops: each backward jump and its target, with the instructions between them and their
    # share of the samples (a kernel's cost per iteration, to set against the bytes it reads)
    insns = []
    for line in dis.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$", line)
        # (a line of bytes only continues the instruction above it: objdump wraps long encodings)
        if m and m.group(3) and not m.group(3).startswith("(bad)") and not re.fullmatch(r"[0-9a-f]{2}", m.group(3)):
            insns.append((int(m.group(1), 16), m.group(3)))
    where = {ip: i for i, (ip, _) in enumerate(insns)}
    loops = []
    for i, (ip, text) in enumerate(insns):
        m = re.match(r"j\w+\s+0x([0-9a-f]+)", text)
        if m and int(m.group(1), 16) < ip and int(m.group(1), 16) in where:
            j = where[int(m.group(1), 16)]
            share = sum(counts.get(a, 0) for a, _ in insns[j:i + 1]) / total
            loops.append((share, i - j + 1, insns[j][0]))
    for share, n, ip in sorted(loops, reverse=True)[:4]:
        if share >= 0.05:
            print(f"    loop at {ip:#x}: {n} instructions, {100 * share:.1f} % of the samples")
EOF
