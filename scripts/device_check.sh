#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The GPU checks of issue 6 as one prepared run, for a machine with a real GPU that has no build
# tools (a lent device: minutes of time, nothing installed).
#
#   scripts/device_check.sh pack [BUILD_DIR]   here, after a build: strips bench_gpu and the GPU
#       kernel tests into .dev/ (ignored by git) with the libraries they load, the Vulkan loader
#       and libglvnd (which NVIDIA's Vulkan driver loads), and stories260K and the TinyStories
#       text from LOWBIT_SHARED_DIR (never committed: .dev/ is ignored);
#       zstd-packed, well under 64 MiB.
#   scripts/device_check.sh run [OUT_DIR]      there, from the repository root: unpacks .dev/,
#       runs the kernel tests against the CPU reference, then bench_gpu's GEMV rows and the GEMMs
#       of a 64-token prefill (each form against the other: loading ahead, tiled GEMM) and the
#       engine's tokens/s; every output into OUT_DIR (default $OUT), each step under its own time
#       limit.
#
# `run` also works here on lavapipe (the same commands on a CPU device), which is how it is tested.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dev="$root/.dev"
mode=${1:-}

pack() {
    local build=${1:-$root/build}
    local shared=${LOWBIT_SHARED_DIR:-$root/../shared}
    local stage
    stage=$(mktemp -d)
    trap 'rm -rf "$stage"' RETURN
    mkdir -p "$stage/bin" "$stage/lib" "$stage/model"
    local bins=("$build/bench/bench_gpu" "$build/tests/gpu_tst_packed_kernels" "$build/tests/gpu_tst_vq_kernels"
                "$build/tests/gpu_tst_gpu_vs_cpu" "$build/tests/gpu_tst_basic_kernels" "$build/tests/gpu_tst_layer_kernels"
                "$build/tests/gpu_tst_gpu_model" "$build/tests/gpu_tst_gpu_model_fusion" "$build/tests/gpu_tst_packed_tree"
                "$build/tests/gpu_tst_packed_tree_int8")
    for b in "${bins[@]}"; do
        [[ -x $b ]] || { echo "device_check: $b is missing: build first" >&2; return 1; }
        strip -o "$stage/bin/$(basename "$b")" "$b"
    done
    # every library the binaries load except the C library itself (the device's own is used)
    ldd "${bins[@]}" | awk '/=> \// {print $3}' | sort -u | while read -r lib; do
        case $(basename "$lib") in
            libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*) ;;
            *) cp -L "$lib" "$stage/lib/" ;;
        esac
    done
    # NVIDIA's Vulkan ICD (libGLX_nvidia) needs libglvnd's dispatch libraries
    for lib in libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libOpenGL.so.0 libGL.so.1 libGLESv2.so.2; do
        [[ -e /lib/x86_64-linux-gnu/$lib ]] && cp -L "/lib/x86_64-linux-gnu/$lib" "$stage/lib/"
    done
    # the files the engine figures and tst_gpu_vs_cpu read, in LOWBIT_SHARED_DIR's layout (not committed: .dev/ is ignored)
    local f
    for f in models/stories260K/stories260K.bin models/stories260K/tok512.bin data/tinystories_valid_first1000.txt; do
        if [[ -f $shared/$f ]]; then
            mkdir -p "$stage/shared/$(dirname "$f")"
            cp "$shared/$f" "$stage/shared/$f"
        else
            echo "device_check: no $shared/$f: the steps that read it will be skipped" >&2
        fi
    done
    git -C "$root" rev-parse --short HEAD > "$stage/commit"
    mkdir -p "$dev"
    tar -C "$stage" -cf - . | zstd -q -12 --long=30 -T0 -f -o "$dev/pack.tar.zst"
    local bytes
    bytes=$(stat -c %s "$dev/pack.tar.zst")
    echo "device_check: .dev/pack.tar.zst, $((bytes / 1048576)) MiB, commit $(cat "$stage/commit")"
    if ((bytes > 60 * 1048576)); then
        echo "device_check: over the 60 MiB the device tool carries with room to spare" >&2
        return 1
    fi
}

# runs "$@" with a time limit of $1 seconds, its output into $out/$2.txt, and says how it ended
step() {
    local limit=$1 name=$2
    shift 2
    local start=$SECONDS rc=0
    timeout "$limit" "$@" > "$out/$name.txt" 2>&1 || rc=$?
    echo "$name: rc=$rc, $((SECONDS - start)) s" | tee -a "$out/summary.txt"
}

run() {
    out=${1:-${OUT:-$root/out}}
    mkdir -p "$out"
    local work
    work=$(mktemp -d)
    zstd -q -d --long=30 -c "$dev/pack.tar.zst" | tar -C "$work" -xf -
    export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export QT_QPA_PLATFORM=offscreen CI=
    echo "commit $(cat "$work/commit"), $(date -u)" > "$out/summary.txt"
    local bin="$work/bin" model="$work/shared/models/stories260K/stories260K.bin"
    [[ -d $work/shared ]] && export LOWBIT_SHARED_DIR="$work/shared"
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem --format=csv > "$out/nvidia-smi.txt" 2>&1 || true
    # correctness first: every kernel × format against the CPU reference
    step 120 tst_packed_kernels "$bin/gpu_tst_packed_kernels"
    step 60 tst_packed_tree "$bin/gpu_tst_packed_tree"
    step 60 tst_packed_tree_int8 "$bin/gpu_tst_packed_tree_int8"
    step 60 tst_vq_kernels "$bin/gpu_tst_vq_kernels"
    step 60 tst_basic_kernels "$bin/gpu_tst_basic_kernels"
    step 60 tst_layer_kernels "$bin/gpu_tst_layer_kernels"
    step 120 tst_gpu_model "$bin/gpu_tst_gpu_model"
    step 60 tst_gpu_model_fusion "$bin/gpu_tst_gpu_model_fusion"
    [[ -f $model ]] && step 120 tst_gpu_vs_cpu "$bin/gpu_tst_gpu_vs_cpu"
    # GEMV GB/s against the roofline: the default forms, then the tree GEMV one piece at a time;
    # "+x8": x quantized per piece and the dot-product GEMV (where the device accelerates it)
    local formats=int4,int4+x8,int4-asym,int4-asym+x8,nf4,mxfp4,nvfp4,int8,vptq-v8-k256,vptq-v8-k256-pn,vptq-v4-k4096
    local gemv=(--formats "$formats" --shapes 4096x4096,11008x4096 --copies 12 --reps 5 --gemm 8 --no-model)
    step 240 gemv "$bin/bench_gpu" "${gemv[@]}"
    # the prefill: GEMMs of 64 tokens, tiled against the slots' GEMM (and the VQ GEMM with its x pass)
    local gemm=(--formats int4,nf4,fp6-e3m2,vptq-v8-k256-pn --shapes 4096x4096,11008x4096 --copies 12 --reps 3 --products 8 --gemm 64 --no-model)
    step 120 gemm64 "$bin/bench_gpu" "${gemm[@]}"
    step 120 gemm64_slots "$bin/bench_gpu" "${gemm[@]}" --tree-slot-gemm
    step 120 gemv_one_piece "$bin/bench_gpu" --formats int4,int4-asym,nf4 --shapes 4096x4096,11008x4096 --copies 12 --reps 5 --no-model --tree-one-piece
    # the direct decodes (linear INT without conversions, one table without per-weight selects)
    # against the table path with its selects
    step 120 gemv_table "$bin/bench_gpu" --formats int4,nf4,nvfp4,fp6-e3m2 --shapes 4096x4096,11008x4096 --copies 12 --reps 5 --gemm 8 --no-model --tree-table
    # the tree's pipelines specialized (scale kind, group size) against push constants
    step 120 gemv_unspecialized "$bin/bench_gpu" --formats int4,nf4 --shapes 4096x4096,11008x4096 --copies 12 --reps 5 --gemm 8 --no-model --unspecialized
    # the engine: stories260K and the 2-layer TinyLlama-width model, fused and separate layer ops
    if [[ -f $model ]]; then
        step 180 engine "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 256 --model "$model"
        step 180 engine_int8 "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 256 --activations int8 --model "$model"
        step 180 engine_unfused "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 256 --unfused --model "$model"
        step 180 engine_apart_gate_up "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 256 --apart-gate-up --model "$model"
        step 180 engine_apart_qkv "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 256 --apart-qkv --model "$model"
        # the prefill of a long prompt: the tiled GEMMs against the slots' GEMM
        step 180 engine_prompt512 "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 32 --prompt 512 --model "$model"
        step 180 engine_prompt512_slots "$bin/bench_gpu" --formats int4 --shapes 1024x1024 --reps 1 --tokens 32 --prompt 512 --tree-slot-gemm --model "$model"
    fi
    rm -rf "$work"
    cat "$out/summary.txt"
}

case $mode in
    pack) shift; pack "$@" ;;
    run) shift; run "$@" ;;
    *) echo "usage: $0 pack [BUILD_DIR] | run [OUT_DIR]" >&2; exit 2 ;;
esac
