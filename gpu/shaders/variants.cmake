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
