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
    lowbit_shader(${family}_b${bits} ${family}.comp 5 100 CODE_BITS=${bits})
  endforeach()
  lowbit_shader(${family}_fp6 ${family}.comp 5 100 CODE_BITS=6 FP6_PLANES)
endforeach()
lowbit_shader(bandwidth_reduce bandwidth_reduce.comp 2 16)
# VPTQ codebook tensors (core/methods/vq_tensor.h)
lowbit_shader(dequant_vq dequant_vq.comp 4 80)
lowbit_shader(matvec_vq matvec_vq.comp 4 80)
