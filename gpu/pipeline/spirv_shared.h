// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The workgroup (shared) memory a compute shader declares, read off its SPIR-V, so that a
/// kernel a device cannot hold is refused with a clear message before the driver sees it, and
/// the host can pick another kernel where there is one (the tiled GEMM, the VQ kernels).

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>
#include <span>

namespace lowbit::gpu {

struct DeviceInfo;

/// Bytes of the Workgroup-storage variables (scalars, vectors, arrays and structs of them, summed
/// without padding); UINT32_MAX for SPIR-V this reader does not understand.
std::uint32_t workgroupMemoryBytes(std::span<const std::uint32_t> spirv);

/// workgroupMemoryBytes of an embedded shader (computed once per shader).
std::uint32_t shaderWorkgroupBytes(ShaderId id);

/// Whether the device holds the shader's workgroup memory (maxComputeSharedMemorySize).
bool sharedMemoryFits(ShaderId id, const DeviceInfo &device);

/// The same as an error naming the shader, what it needs and what the device has (Unsupported).
Status checkSharedMemory(ShaderId id, const DeviceInfo &device);

} // namespace lowbit::gpu
