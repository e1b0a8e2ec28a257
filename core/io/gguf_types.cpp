// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/gguf_types.h"

#include <limits>

namespace lowbit {

std::optional<std::int64_t> GgufValue::asInt() const
{
    switch (type) {
    case GgufType::U8: case GgufType::U16: case GgufType::U32: case GgufType::U64: case GgufType::Bool:
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    case GgufType::I8: case GgufType::I16: case GgufType::I32: case GgufType::I64:
        return i;
    default:
        return std::nullopt;
    }
}

std::optional<double> GgufValue::asDouble() const
{
    if (type == GgufType::F32 || type == GgufType::F64)
        return f;
    if (const auto v = asInt())
        return static_cast<double>(*v);
    return std::nullopt;
}

const GgufValue *ggufFind(const GgufKvs &kvs, std::string_view key)
{
    for (const auto &[k, v] : kvs)
        if (k == key)
            return &v;
    return nullptr;
}

} // namespace lowbit
