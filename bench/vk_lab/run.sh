#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Where an int4 GEMV's time goes on a CPU Vulkan device (lavapipe): builds the lab and times the
# roofline read, the GEMV, and the GEMV with one cost removed at a time, each with the codes read
# from a storage buffer and (the "texels" lines) from a uniform texel buffer, and two other ways to
# get a code's value: a 16-entry table by subgroup shuffles, and a per-column-pair table of x·value;
# and the codes of each subgroup's 64 rows interleaved texel by texel (the tiled layout); and x
# quantized to int8, two codes multiplied at once in a 32-bit lane (SWAR), as 16-bit halves
# (PMADD), or four by the packed integer dot product (DOT). docs/gpu.md
# quotes it.
# usage: bench/vk_lab/run.sh [rows cols]   (needs g++, glslc, libvulkan-dev; writes build/vk_lab)
set -e
here=$(dirname "$0"); out=${OUT:-build/vk_lab}; rows=${1:-4096}; cols=${2:-4096}
mkdir -p "$out"
g++ -O2 -mf16c -std=c++20 -o "$out/vk_lab" "$here/vk_lab.cpp" -lvulkan
glslc -O --target-env=vulkan1.2 "$here/roof_lab.comp" -o "$out/roof.spv"
glslc -O --target-env=vulkan1.2 -DTEXEL "$here/roof_lab.comp" -o "$out/roofT.spv"
glslc -O --target-env=vulkan1.2 -DTEXEL -DIMAGE "$here/roof_lab.comp" -o "$out/roofI.spv"
for v in full:"" noload:-DNOLOAD nox:-DNOX unroll:-DUNROLL fullT:-DTEXEL noxT:"-DTEXEL -DNOX" lutshT:"-DTEXEL -DLUTSH" pairT:"-DTEXEL -DPAIRT" fullI:"-DTEXEL -DINTERLEAVE" noxI:"-DTEXEL -DNOX -DINTERLEAVE" \
         fullS:"-DTEXEL -DXSHUF" fullU:"-DTEXEL -DXUNI" fullIS:"-DTEXEL -DINTERLEAVE -DXSHUF" imgIS:"-DTEXEL -DIMAGE -DINTERLEAVE -DXSHUF" \
         lutIS:"-DTEXEL -DIMAGE -DINTERLEAVE -DXSHUF -DLUTSH" swarI:"-DTEXEL -DINTERLEAVE -DSWAR" dotI:"-DTEXEL -DINTERLEAVE -DDOT" pmI:"-DTEXEL -DINTERLEAVE -DPMADD" pmsI:"-DTEXEL -DINTERLEAVE -DPMADDSH" tok2:"-DTEXEL -DIMAGE -DTOK=2" tok3:"-DTEXEL -DIMAGE -DTOK=3" tok4:"-DTEXEL -DIMAGE -DTOK=4"; do
  glslc -O --target-env=vulkan1.2 ${v#*:} "$here/gemv_lab.comp" -o "$out/${v%%:*}.spv"
done
S16=1 CHECK=1 "$out/vk_lab" "$out/full.spv" 512 4096 512 1 1 | grep "rel err"
best() { # best of three runs (TEXEL=1 in the environment: binding 0 as texels; IMAGE=1: image loads)
  b=0; for i in 1 2 3; do g=$(S16=1 "$out/vk_lab" "$1" "$rows" "$cols" "$2" 5 4 2>/dev/null | sed -n 's/.* \([0-9.]*\) GB\/s.*/\1/p'); b=$(echo "$b $g" | awk '{print ($2 > $1) ? $2 : $1}'); done; echo "$b"; }
echo "roofline (uvec4 rows)   $(best "$out/roof.spv" 64) GB/s"
echo "int4 GEMV               $(best "$out/full.spv" 512) GB/s"
echo "  codes not loaded      $(best "$out/noload.spv" 512) GB/s"
echo "  no x (decode only)    $(best "$out/nox.spv" 512) GB/s"
echo "  chunk loop unrolled   $(best "$out/unroll.spv" 512) GB/s"
export TEXEL=1
echo "roofline, texels        $(best "$out/roofT.spv" 64) GB/s"
echo "int4 GEMV, texels       $(best "$out/fullT.spv" 512) GB/s"
echo "  no x (decode only)    $(best "$out/noxT.spv" 512) GB/s"
echo "  values by shuffles    $(best "$out/lutshT.spv" 512) GB/s   (a 16-entry table in two registers)"
echo "  64 rows interleaved   $(best "$out/fullI.spv" 512) GB/s   (each subgroup reads one stream: the tiled layout)"
echo "    and no x            $(best "$out/noxI.spv" 512) GB/s"
echo "  x by shuffles         $(best "$out/fullS.spv" 512) GB/s   (instead of subgroupBroadcast)"
echo "  x at uniform addresses $(best "$out/fullU.spv" 512) GB/s"
echo "  interleaved, x by shuffles $(best "$out/fullIS.spv" 512) GB/s   (as matvec_rows now reads)"
echo "roofline, image loads   $(IMAGE=1 best "$out/roofI.spv" 64) GB/s   (a storage texel buffer: imageLoad, inlined by llvmpipe)"
echo "  the same GEMV, image loads $(IMAGE=1 best "$out/imgIS.spv" 512) GB/s"
echo "  values by shuffles, image loads $(IMAGE=1 best "$out/lutIS.spv" 512) GB/s   (the lut path of one token)"
echo "  ... for 2 tokens at once $(IMAGE=1 TOK=2 best "$out/tok2.spv" 512) GB/s of codes (×2 per token)"
echo "  ... for 3 tokens at once $(IMAGE=1 TOK=3 best "$out/tok3.spv" 512) GB/s of codes (×3 per token)"
echo "  ... for 4 tokens at once $(IMAGE=1 TOK=4 best "$out/tok4.spv" 512) GB/s of codes (×4 per token)"
echo "  int8 x, two codes a 32-bit multiply $(best "$out/swarI.spv" 512) GB/s   (SWAR, interleaved: what quantized activations would allow)"
echo "  int8 x, 16-bit halves   $(INT16=1 best "$out/pmI.spv" 512) GB/s   (PMADD: both products of a lane as pmaddwd would take them)"
echo "  int8 x, halves by shifts $(best "$out/pmsI.spv" 512) GB/s   (PMADDSH)"
echo "  int8 x, OpSUDot        $(DOT=1 best "$out/dotI.spv" 512) GB/s   (VK_KHR_shader_integer_dot_product, four codes an instruction: what the device makes of it)"
export PAIRT=1
echo "  pair table (T-MAC)    $(best "$out/pairT.spv" 512) GB/s   (one gathered x-table read per two weights)"
