// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The compute shaders compiled into this binary: ids, binding counts and push-constant sizes come
/// from the generated table (gpu/shaders/variants.cmake), SPIR-V words from embedded arrays.

#include "gpu/shader_registry_gen.h"

#include <cstdint>
#include <span>

namespace lowbit::gpu {

/// The SPIR-V of a shader variant (static storage, never empty).
std::span<const std::uint32_t> shaderSpirv(ShaderId id);

} // namespace lowbit::gpu
