# SPDX-License-Identifier: GPL-3.0-or-later
# cmake -DSPV=in.spv -DOUT=out.cpp -DSYMBOL=name -P EmbedSpirv.cmake
# Writes a C++ source holding the SPIR-V words as `extern const` data (never committed).
file(READ "${SPV}" hex HEX)
string(LENGTH "${hex}" len)
math(EXPR rem "${len} % 8")
if(NOT rem EQUAL 0)
  message(FATAL_ERROR "${SPV}: size is not a multiple of 4 bytes")
endif()
# bytes are little-endian: regroup "aabbccdd" into the word 0xddccbbaa
string(REGEX REPLACE "([0-9a-f][0-9a-f])([0-9a-f][0-9a-f])([0-9a-f][0-9a-f])([0-9a-f][0-9a-f])" "0x\\4\\3\\2\\1u," words "${hex}")
math(EXPR count "${len} / 8")
file(WRITE "${OUT}" "// Generated from ${SPV}; do not edit.\n#include <cstdint>\nnamespace lowbit::gpu::spirv {\nextern const std::uint32_t ${SYMBOL}[${count}] = {${words}};\nextern const std::uint32_t ${SYMBOL}_words = ${count};\n}\n")
