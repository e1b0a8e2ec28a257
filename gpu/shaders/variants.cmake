# SPDX-License-Identifier: GPL-3.0-or-later
# The one declarative list of shader variants. Each row becomes one SPIR-V module (compiled by
# glslc at build time, embedded in the binary) and one row of the generated C++ registry.
#
#   lowbit_shader(NAME SOURCE BINDINGS PUSH_BYTES [DEFINES...])
#
# NAME: <family>_<atype>_<btype>[_<feature>]; BINDINGS: descriptor bindings in set 0 (storage
# buffers); PUSH_BYTES: size of the push-constant block (checked against the C++ struct).
lowbit_shader(matvec_f32_f32 matvec.comp 3 8 A_F32)
lowbit_shader(rmsnorm_f32 rmsnorm.comp 3 8)
lowbit_shader(rope_f32 rope.comp 2 24)
lowbit_shader(attention_f32 attention.comp 4 28)
lowbit_shader(silu_mul_f32 silu_mul.comp 3 4)
lowbit_shader(add_f32 add.comp 2 4)
lowbit_shader(embedding_f32 embedding.comp 3 20)
lowbit_shader(matmul_f32_f32 matmul.comp 3 20 A_F32)
# Packed low-bit weights: one variant per code width (CODE_BITS makes the unpacking constant)
# and one for the FP6 4+2 planes; the C++ side picks by PackedTensor::codeBits / layout.
foreach(family dequant_packed matvec_packed matmul_packed)
  foreach(bits 1 2 3 4 5 6 7 8)
    lowbit_shader(${family}_b${bits} ${family}.comp 5 104 CODE_BITS=${bits})
  endforeach()
  lowbit_shader(${family}_fp6 ${family}.comp 5 104 CODE_BITS=6 FP6_PLANES)
endforeach()
# The row-per-invocation GEMV for CPU implementations, per code width and decode path (generic,
# linear, lut; see matvec_rows.comp): x and the value tables in uniform buffers (bindings 3, 5),
# and the "_sx" form with storage buffers for x beyond the uniform range.
foreach(decode generic linear lut)
  if(decode STREQUAL "generic")
    set(d 0)
  elseif(decode STREQUAL "linear")
    set(d 1)
  else()
    set(d 2)
  endif()
  foreach(bits 1 2 3 4 5 6 7 8)
    lowbit_shader(matvec_rows_b${bits}_${decode} matvec_rows.comp 6 104 CODE_BITS=${bits} DECODE=${d} X_UBO UNIFORM=3 UNIFORM=5)
    lowbit_shader(matvec_rows_b${bits}_${decode}_sx matvec_rows.comp 6 104 CODE_BITS=${bits} DECODE=${d})
  endforeach()
  lowbit_shader(matvec_rows_fp6_${decode} matvec_rows.comp 6 104 CODE_BITS=6 FP6_PLANES DECODE=${d} X_UBO UNIFORM=3 UNIFORM=5)
  lowbit_shader(matvec_rows_fp6_${decode}_sx matvec_rows.comp 6 104 CODE_BITS=6 FP6_PLANES DECODE=${d})
endforeach()
lowbit_shader(bandwidth_reduce bandwidth_reduce.comp 2 16)
lowbit_shader(bandwidth_reduce_rows bandwidth_reduce_rows.comp 2 16)
# VPTQ codebook tensors (core/methods/vq_tensor.h)
lowbit_shader(dequant_vq dequant_vq.comp 4 80)
lowbit_shader(matvec_vq matvec_vq.comp 4 80)
# ... and its row-per-invocation form for CPU implementations (any v ≤ 16, or v fixed at 4 / 8)
# (binding 4: the codebooks again, as a uniform buffer with X_UBO; "_sx": storage buffers)
foreach(vl 0 4 8)
  if(vl EQUAL 0)
    set(sfx "")
  else()
    set(sfx "_v${vl}")
  endif()
  lowbit_shader(matvec_vq_rows${sfx} matvec_vq_rows.comp 5 80 VLEN=${vl} X_UBO UNIFORM=2 UNIFORM=4)
  lowbit_shader(matvec_vq_rows${sfx}_sx matvec_vq_rows.comp 5 80 VLEN=${vl})
endforeach()
