# SPDX-License-Identifier: GPL-3.0-or-later
# The one declarative list of shader variants. Each row becomes one SPIR-V module (compiled by
# glslc at build time, embedded in the binary) and one row of the generated C++ registry.
#
#   lowbit_shader(NAME SOURCE BINDINGS PUSH_BYTES [DEFINES...])
#
# NAME: <family>_<atype>_<btype>[_<feature>]; BINDINGS: descriptor bindings in set 0 (storage
# buffers, but UNIFORM=n a uniform buffer, TEXEL=n a uniform texel buffer and IMAGE=n a storage
# texel buffer, both through the buffer's RGBA32UI view); PUSH_BYTES: size of the push-constant
# block (checked against the C++ struct).
lowbit_shader(matvec_f32_f32 matvec.comp 3 8 A_F32)
lowbit_shader(rmsnorm_f32 rmsnorm.comp 3 8)
# x += r, then the norm of the sum (binding 3: r)
lowbit_shader(add_rmsnorm_f32 rmsnorm.comp 4 8 RESIDUAL)
lowbit_shader(rope_f32 rope.comp 2 24)
# queries and keys in one dispatch (binding 2: k)
lowbit_shader(rope_qk_f32 rope.comp 3 32 PAIR)
# ... from a merged q|k|v linear's output: queries and keys rotated, values copied (bindings 2-4: q, k, v)
lowbit_shader(rope_qkv_f32 rope_qkv.comp 5 32)
lowbit_shader(attention_f32 attention.comp 4 28)
# the fp16 KV cache: halves packed in uints (every device), or float16_t (16-bit storage)
lowbit_shader(attention_f16 attention.comp 4 28 KV_F16)
lowbit_shader(attention_f16s attention.comp 4 28 KV_F16S)
# ... and on CPU devices (attention_rows.comp): one 8-lane subgroup per (token, run of ≤ GM query
# heads of one KV head), q and the cache read as texels by image loads; per q texels a lane (head
# dims ≤ 32·NQ), heads a run (GM·NQ ≤ 16: the accumulators of a run) and cache form (fp16: either
# fp16 form's bytes)
foreach(v 1:1 1:2 1:4 1:8 2:1 2:2 2:4 2:8 4:1 4:2 4:4 8:1 8:2)
  string(REPLACE ":" ";" f "${v}")
  list(GET f 0 nq)
  list(GET f 1 gm)
  lowbit_shader(attention_rows_f32_q${nq}_g${gm} attention_rows.comp 4 28 NQ=${nq} GM=${gm} IMAGE=0 IMAGE=1 IMAGE=2)
  lowbit_shader(attention_rows_f16_q${nq}_g${gm} attention_rows.comp 4 28 NQ=${nq} GM=${gm} KV_F16 IMAGE=0 IMAGE=1 IMAGE=2)
endforeach()
lowbit_shader(kv_store_f16 kv_store.comp 2 8)
lowbit_shader(kv_store_kv_f16 kv_store.comp 4 8 PAIR)
lowbit_shader(silu_mul_f32 silu_mul.comp 3 4)
# ... from the merged gate/up linear's output (gate and up halves of each token's row; bindings 0 and 1 the same buffer)
lowbit_shader(silu_mul_pair_f32 silu_mul.comp 3 8 PAIR)
lowbit_shader(add_f32 add.comp 2 4)
lowbit_shader(add_bias_f32 add_bias.comp 2 12)
lowbit_shader(embedding_f32 embedding.comp 3 20)
lowbit_shader(matmul_f32_f32 matmul.comp 3 20 A_F32)
# ... and the decode GEMV on GPUs: a subgroup per row, vec4 loads, four in flight a lane
lowbit_shader(matmul_f32_f32_sg matvec_sg.comp 3 20)
# ... and for prompts of many tokens on GPUs: 64 rows × 32 tokens a workgroup (gemm_tile.glsl)
lowbit_shader(matmul_f32_f32_tiled matmul_tiled.comp 3 20)
# ... and on CPU devices: an invocation per (row, 4 tokens), no barriers (cols % 4 == 0)
lowbit_shader(matmul_f32_f32_rows matmul_rows.comp 3 20)
# the push-constant block of every packed-weight kernel (PackedPush, packed_decode.glsl)
set(packed_push 128)
# Packed low-bit weights: one variant per code width (CODE_BITS makes the unpacking constant)
# and one for the FP6 4+2 planes; the C++ side picks by PackedTensor::codeBits / layout.
foreach(family dequant_packed matvec_packed matmul_packed)
  foreach(bits 1 2 3 4 5 6 7 8)
    lowbit_shader(${family}_b${bits} ${family}.comp 5 ${packed_push} CODE_BITS=${bits})
  endforeach()
  lowbit_shader(${family}_fp6 ${family}.comp 5 ${packed_push} CODE_BITS=6 FP6_PLANES)
endforeach()
# The shared-tree GEMV/GEMM's forms (TreeForm in packed_ops.h): "_sg" sums a slot's lanes by
# subgroup shuffles (tree_reduce.glsl), "_lin" decodes INT / INT-asym codes without a table read
foreach(family matvec_packed matmul_packed)
  foreach(bits 1 2 3 4 5 6 7 8)
    lowbit_shader(${family}_b${bits}_sg ${family}.comp 5 ${packed_push} CODE_BITS=${bits} SG_REDUCE)
    lowbit_shader(${family}_b${bits}_lin ${family}.comp 5 ${packed_push} CODE_BITS=${bits} TREE_LINEAR)
    lowbit_shader(${family}_b${bits}_lin_sg ${family}.comp 5 ${packed_push} CODE_BITS=${bits} TREE_LINEAR SG_REDUCE)
  endforeach()
  lowbit_shader(${family}_fp6_sg ${family}.comp 5 ${packed_push} CODE_BITS=6 FP6_PLANES SG_REDUCE)
endforeach()
# ... and the tiled GEMM for prompts of many tokens on GPUs (64 rows × 32 tokens a workgroup,
# weights and x staged in shared memory; TreeForm::tiledGemm): per code width and FP6 planes, and
# the linear INT decode
foreach(bits 1 2 3 4 5 6 7 8)
  lowbit_shader(matmul_packed_tiled_b${bits} matmul_packed_tiled.comp 5 ${packed_push} CODE_BITS=${bits})
  lowbit_shader(matmul_packed_tiled_b${bits}_lin matmul_packed_tiled.comp 5 ${packed_push} CODE_BITS=${bits} TREE_LINEAR)
endforeach()
lowbit_shader(matmul_packed_tiled_fp6 matmul_packed_tiled.comp 5 ${packed_push} CODE_BITS=6 FP6_PLANES)
# ... and the GEMV's subgroup forms (every GPU's) loading one piece at a time instead of four
# ("_a1", TreeForm::loadAhead off: to measure what loading ahead gains)
foreach(bits 1 2 3 4 5 6 7 8)
  lowbit_shader(matvec_packed_b${bits}_sg_a1 matvec_packed.comp 5 ${packed_push} CODE_BITS=${bits} SG_REDUCE AHEAD=1u)
  lowbit_shader(matvec_packed_b${bits}_lin_sg_a1 matvec_packed.comp 5 ${packed_push} CODE_BITS=${bits} TREE_LINEAR SG_REDUCE AHEAD=1u)
endforeach()
lowbit_shader(matvec_packed_fp6_sg_a1 matvec_packed.comp 5 ${packed_push} CODE_BITS=6 FP6_PLANES SG_REDUCE AHEAD=1u)
# The row-per-invocation GEMV for CPU implementations, per code width and decode path (generic,
# linear, lut, minifloat; see matvec_rows.comp): x and the value tables in uniform buffers (bindings 3, 5),
# and the "_sx" form with storage buffers for x beyond the uniform range; bindings 6 and 7 read the
# codes and meta (bindings 0, 1) again as storage texel buffers (imageLoad, inlined by llvmpipe).
set(rows_images IMAGE=6 IMAGE=7)
# The define of a rows grouping suffix: "_g16" ROWS_G16, "" none (any grouping).
function(rows_grouping_define suffix out)
  set(def "")
  if(suffix STREQUAL "_g16")
    set(def ROWS_G16)
  endif()
  set(${out} "${def}" PARENT_SCOPE)
endfunction()
foreach(decode generic linear lut minifloat)
  if(decode STREQUAL "generic")
    set(d 0)
  elseif(decode STREQUAL "linear")
    set(d 1)
  elseif(decode STREQUAL "lut")
    set(d 2)
  else()
    set(d 3)
  endif()
  # "_g16": the parameter-window paths for groups of 16 columns (NVFP4, two groups per chunk);
  # the form without a suffix takes any grouping, those of a multiple of 32 columns (MX: a group
  # per chunk) in one flat loop over the chunks
  set(groupings "")
  if(d GREATER 0)
    set(groupings _g16)
  endif()
  foreach(g "" ${groupings})
    rows_grouping_define("${g}" gdef)
    foreach(bits 1 2 3 4 5 6 7 8)
      lowbit_shader(matvec_rows_b${bits}_${decode}${g} matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=${d} ${gdef} X_UBO UNIFORM=3 UNIFORM=5 ${rows_images})
      lowbit_shader(matvec_rows_b${bits}_${decode}${g}_sx matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=${d} ${gdef} ${rows_images})
    endforeach()
    lowbit_shader(matvec_rows_fp6_${decode}${g} matvec_rows.comp 8 ${packed_push} CODE_BITS=6 FP6_PLANES DECODE=${d} ${gdef} X_UBO UNIFORM=3 UNIFORM=5 ${rows_images})
    lowbit_shader(matvec_rows_fp6_${decode}${g}_sx matvec_rows.comp 8 ${packed_push} CODE_BITS=6 FP6_PLANES DECODE=${d} ${gdef} ${rows_images})
  endforeach()
endforeach()
# The rows GEMM of the prefill (matvec_rows.comp with TOKENS = 3: each code decoded once for three
# tokens; one GEMV per token costs 1.5–1.7 times as much per token in the lab), for every path
# rowsDecodeFor can pick: linear of 1–8 bits, lut of 1–8 bits and the FP6 planes, minifloat of 5–8
# bits (narrower grids take the lut path), the 3- and 4-bit tables (mixtures, AFPQ's two scales)
# and inserted (BitMoD) paths, per grouping; and the generic path (any grouping), every width.
set(rows_gemm_paths linear:1:1 linear:1:2 linear:1:3 linear:1:4 linear:1:5 linear:1:6 linear:1:7 linear:1:8
    lut:2:1 lut:2:2 lut:2:3 lut:2:4 lut:2:5 lut:2:6 lut:2:7 lut:2:8 lut:2:fp6
    minifloat:3:5 minifloat:3:6 minifloat:3:7 minifloat:3:8
    tables:4:3 tables:4:4 tables2:4:3 tables2:4:4 inserted:5:3 inserted:5:4)
# "b<bits>" or "fp6" (the FP6 planes) and its defines
function(rows_width_defines width name_out defs_out)
  if(width STREQUAL "fp6")
    set(${name_out} fp6 PARENT_SCOPE)
    set(${defs_out} CODE_BITS=6 FP6_PLANES PARENT_SCOPE)
  else()
    set(${name_out} b${width} PARENT_SCOPE)
    set(${defs_out} CODE_BITS=${width} PARENT_SCOPE)
  endif()
endfunction()
foreach(g "" _g16)
  rows_grouping_define("${g}" gdef)
  foreach(v ${rows_gemm_paths})
    string(REPLACE ":" ";" f "${v}")
    list(GET f 0 decode)
    list(GET f 1 d)
    list(GET f 2 width)
    rows_width_defines(${width} wname wdefs)
    set(tdef "")
    if(decode STREQUAL "tables2")
      set(tdef TWO_SCALE)
    endif()
    lowbit_shader(matmul_rows_${wname}_${decode}${g} matvec_rows.comp 8 ${packed_push} ${wdefs} DECODE=${d} ${tdef} TOKENS=3 ${gdef} X_UBO UNIFORM=3 UNIFORM=5 ${rows_images})
    lowbit_shader(matmul_rows_${wname}_${decode}${g}_sx matvec_rows.comp 8 ${packed_push} ${wdefs} DECODE=${d} ${tdef} TOKENS=3 ${gdef} ${rows_images})
  endforeach()
endforeach()
foreach(width 1 2 3 4 5 6 7 8 fp6)
  rows_width_defines(${width} wname wdefs)
  lowbit_shader(matmul_rows_${wname}_generic matvec_rows.comp 8 ${packed_push} ${wdefs} DECODE=0 TOKENS=3 X_UBO UNIFORM=3 UNIFORM=5 ${rows_images})
  lowbit_shader(matmul_rows_${wname}_generic_sx matvec_rows.comp 8 ${packed_push} ${wdefs} DECODE=0 TOKENS=3 ${rows_images})
endforeach()
# ... and the tables paths (DECODE 4: mixtures of ≤ 4 grids of 3 or 4 bits from registers; "tables2"
# with AFPQ's two scales; DECODE 5 "inserted": mixtures whose members are one base table with one
# value inserted each, BitMoD), per grouping as above
foreach(decode tables tables2 inserted)
  set(tdef "")
  set(dnum 4)
  if(decode STREQUAL "tables2")
    set(tdef TWO_SCALE)
  elseif(decode STREQUAL "inserted")
    set(dnum 5)
  endif()
  foreach(g "" _g16)
    rows_grouping_define("${g}" gdef)
    foreach(bits 3 4)
      lowbit_shader(matvec_rows_b${bits}_${decode}${g} matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=${dnum} ${tdef} ${gdef} X_UBO UNIFORM=3 UNIFORM=5 ${rows_images})
      lowbit_shader(matvec_rows_b${bits}_${decode}${g}_sx matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=${dnum} ${tdef} ${gdef} ${rows_images})
    endforeach()
  endforeach()
endforeach()
# The integer GEMV / GEMM of 2-, 3- and 4-bit linear codes (INT, INT-asym) with x quantized to int8
# per 32 columns (quantize_x8.comp; GpuModelOptions::int8Activations): the x texels at binding 3,
# per code width and grouping
lowbit_shader(quantize_x8 quantize_x8.comp 2 12)
foreach(bits 2 3 4)
  foreach(g "" _g16)
    rows_grouping_define("${g}" gdef)
    lowbit_shader(matvec_rows_b${bits}_linear${g}_x8 matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=1 ${gdef} X_INT8 IMAGE=3 ${rows_images})
    lowbit_shader(matmul_rows_b${bits}_linear${g}_x8 matvec_rows.comp 8 ${packed_push} CODE_BITS=${bits} DECODE=1 ${gdef} X_INT8 TOKENS=3 IMAGE=3 ${rows_images})
  endforeach()
endforeach()
lowbit_shader(bandwidth_reduce bandwidth_reduce.comp 2 16)
lowbit_shader(bandwidth_reduce_rows bandwidth_reduce_rows.comp 2 16)
lowbit_shader(bandwidth_reduce_rows_texel bandwidth_reduce_rows.comp 2 16 TEXEL=0 TEXEL)
lowbit_shader(bandwidth_reduce_rows_image bandwidth_reduce_rows.comp 2 16 IMAGE=0 IMAGE)
# VPTQ codebook tensors (core/methods/vq_tensor.h); the push-constant block of every vq kernel (VqPush, vq_push.glsl)
set(vq_push 112)
lowbit_shader(dequant_vq dequant_vq.comp 4 ${vq_push})
# the GEMV on GPUs: vectors of 4 or 8 (centroids read as vec4), or any length (v0)
foreach(vl 0 4 8)
  lowbit_shader(matvec_vq_v${vl} matvec_vq.comp 4 ${vq_push} VLEN=${vl})
  lowbit_shader(matvec_vq_v${vl}_sg matvec_vq.comp 4 ${vq_push} VLEN=${vl} SG_REDUCE)
endforeach()
# ... and their GEMM (the prefill) on GPUs: four tokens a workgroup, the same vector lengths
foreach(vl 0 4 8)
  lowbit_shader(matmul_vq_v${vl} matmul_vq.comp 4 ${vq_push} VLEN=${vl})
  lowbit_shader(matmul_vq_v${vl}_sg matmul_vq.comp 4 ${vq_push} VLEN=${vl} SG_REDUCE)
endforeach()
# ... and the CPU-device GEMV (matvec_vq_rows.comp): x·scale in position order first
# (vq_xprep), then one variant per vector length (4, 8, or 0: any v ≤ 16 at run time), stored
# index width (8, 12, 16) and residual (_r); every binding but y read as texels of a storage
# texel buffer (IMAGE=n: imageLoad, which llvmpipe inlines; texelFetch is a function call there)
lowbit_shader(vq_xprep vq_xprep.comp 4 ${vq_push})
foreach(vl 0 4 8)
  foreach(ib 8 12 16)
    foreach(res 0 1)
      set(sfx "")
      if(res)
        set(sfx "_r")
      endif()
      lowbit_shader(matvec_vq_rows_v${vl}_i${ib}${sfx} matvec_vq_rows.comp 4 ${vq_push} VLEN=${vl} IBITS=${ib} RES=${res} IMAGE=0 IMAGE=1 IMAGE=2)
      # the GEMM of the prefill: three tokens a dispatch (vectors of 4 and 8; any-v would hold 48 accumulators)
      if(vl GREATER 0)
        lowbit_shader(matmul_vq_rows_v${vl}_i${ib}${sfx} matvec_vq_rows.comp 4 ${vq_push} VLEN=${vl} IBITS=${ib} RES=${res} TOKENS=3 IMAGE=0 IMAGE=1 IMAGE=2)
      endif()
    endforeach()
  endforeach()
endforeach()
