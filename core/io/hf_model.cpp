// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder: replaced by the reader's real implementation.
#include "core/io/model_readers.h"

namespace lowbit {

Result<Model> openHfModel(const std::string &path)
{
    return makeError(ErrorCode::Unsupported, path + ": reader not implemented yet");
}

} // namespace lowbit
