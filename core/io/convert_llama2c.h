// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// llama2.c checkpoint → Hugging Face folder (config.json + model.safetensors).

#include "core/model/model.h"
#include "core/model/rope.h"
#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit {

struct ConvertReport {
    std::vector<std::string> written; ///< paths
    std::uint64_t tensors = 0;
    std::uint64_t params = 0;
};

/// Writes outDir/config.json and outDir/model.safetensors (fp32, HF names and order, q/k rows
/// permuted to HF's layout, metadata {"format": "pt"}). Creates outDir. Refuses to overwrite
/// existing files unless `overwrite`. Both files are written to temporaries first; on any error
/// nothing new is left behind.
Result<ConvertReport> convertLlama2cToHf(const std::string &binPath, const std::string &outDir, bool overwrite);

} // namespace lowbit
