// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// GGUF metadata values (every KV type of GGUF v3, arrays of any type, nested arrays included).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lowbit {

enum class GgufType : std::uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7, String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
inline constexpr std::uint32_t kGgufTypeCount = 13;

struct GgufValue {
    GgufType type = GgufType::U32;
    std::uint64_t u = 0;  ///< unsigned integers and bool
    std::int64_t i = 0;   ///< signed integers
    double f = 0.0;       ///< F32 / F64
    std::string s;        ///< String
    GgufType elemType = GgufType::U8; ///< Array element type
    std::vector<GgufValue> array;

    static GgufValue ofU32(std::uint32_t v) { GgufValue x; x.type = GgufType::U32; x.u = v; return x; }
    static GgufValue ofI32(std::int32_t v) { GgufValue x; x.type = GgufType::I32; x.i = v; return x; }
    static GgufValue ofU64(std::uint64_t v) { GgufValue x; x.type = GgufType::U64; x.u = v; return x; }
    static GgufValue ofF32(float v) { GgufValue x; x.type = GgufType::F32; x.f = v; return x; }
    static GgufValue ofBool(bool v) { GgufValue x; x.type = GgufType::Bool; x.u = v ? 1 : 0; return x; }
    static GgufValue ofString(std::string v) { GgufValue x; x.type = GgufType::String; x.s = std::move(v); return x; }
    static GgufValue ofArray(GgufType elem, std::vector<GgufValue> v)
    {
        GgufValue x;
        x.type = GgufType::Array;
        x.elemType = elem;
        x.array = std::move(v);
        return x;
    }

    /// Any integer type (and bool) as int64 when it fits; nullopt otherwise.
    std::optional<std::int64_t> asInt() const;
    /// Any numeric type as double.
    std::optional<double> asDouble() const;
};

using GgufKvs = std::vector<std::pair<std::string, GgufValue>>;

const GgufValue *ggufFind(const GgufKvs &kvs, std::string_view key);

} // namespace lowbit
