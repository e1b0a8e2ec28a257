#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a bounded time.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
build="${LOWBIT_FUZZ_BUILD_DIR:-$root/build-fuzz}"
if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DLOWBIT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --parallel "$(nproc)"
mkdir -p "$build/seeds"
"$build/tests/fuzz/fuzz_make_seeds" "$build/seeds"
status=0
for f in "$build"/tests/fuzz/fuzz_{safetensors,gguf,llama2c}; do
  [ -x "$f" ] || continue
  name="$(basename "$f")"
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  echo "fuzz: $name for ${seconds}s"
  "$f" "$corpus" "$build/seeds" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 2>"$build/$name.log" || { status=1; tail -40 "$build/$name.log"; }
  grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$build/$name.log" || true
done
exit $status
