// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A small, strict JSON DOM for file headers, configs, plans and --json output.
/// Why our own: safetensors validation must see duplicate keys and invalid UTF-8 (common
/// libraries silently keep the last duplicate), and hostile headers need a depth bound.

#include "core/util/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lowbit {

class Json {
public:
    enum class Type : std::uint8_t { Null, Bool, Int, UInt, Double, String, Array, Object };
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>; ///< insertion order kept

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : m_type(Type::Bool), m_bool(b) {}
    Json(int v) : m_type(Type::Int), m_int(v) {}
    Json(long v) : m_type(Type::Int), m_int(v) {}
    Json(long long v) : m_type(Type::Int), m_int(v) {}
    Json(unsigned v) : m_type(Type::UInt), m_uint(v) {}
    Json(unsigned long v) : m_type(Type::UInt), m_uint(v) {}
    Json(unsigned long long v) : m_type(Type::UInt), m_uint(v) {}
    Json(double v) : m_type(Type::Double), m_double(v) {}
    Json(float v) : m_type(Type::Double), m_double(v) {}
    Json(const char *s) : m_type(Type::String), m_string(s) {}
    Json(std::string s) : m_type(Type::String), m_string(std::move(s)) {}
    Json(std::string_view s) : m_type(Type::String), m_string(s) {}
    Json(Array a) : m_type(Type::Array), m_array(std::move(a)) {}
    Json(Object o) : m_type(Type::Object), m_object(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }
    bool isBool() const { return m_type == Type::Bool; }
    bool isNumber() const { return m_type == Type::Int || m_type == Type::UInt || m_type == Type::Double; }
    bool isInteger() const { return m_type == Type::Int || m_type == Type::UInt; }
    bool isString() const { return m_type == Type::String; }
    bool isArray() const { return m_type == Type::Array; }
    bool isObject() const { return m_type == Type::Object; }

    bool asBool() const { return m_bool; }
    double asDouble() const;
    /// Exact integer value when the number is an integer within range; nullopt otherwise.
    std::optional<std::int64_t> asInt64() const;
    std::optional<std::uint64_t> asUInt64() const;
    const std::string &asString() const { return m_string; }
    const Array &asArray() const { return m_array; }
    Array &asArray() { return m_array; }
    const Object &asObject() const { return m_object; }
    Object &asObject() { return m_object; }

    /// Object lookup; nullptr when not an object or the key is absent.
    const Json *find(std::string_view key) const;
    /// Object insert-or-assign (turns a null into an object).
    Json &operator[](std::string_view key);
    /// Array append (turns a null into an array).
    void push(Json v);
    std::size_t size() const;

    /// Compact when indent < 0, else pretty-printed with that many spaces.
    std::string dump(int indent = -1) const;

private:
    void dumpTo(std::string &out, int indent, int level) const;

    Type m_type = Type::Null;
    bool m_bool = false;
    std::int64_t m_int = 0;
    std::uint64_t m_uint = 0;
    double m_double = 0.0;
    std::string m_string;
    Array m_array;
    Object m_object;
};

struct JsonParseOptions {
    bool rejectDuplicateKeys = true;
    int maxDepth = 64;
};

/// Parses one JSON document (whitespace around it allowed, nothing else). Errors are
/// ErrorCode::Malformed with the byte offset and the problem.
Result<Json> parseJson(std::string_view text, const JsonParseOptions &options = {});

/// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, ≤ U+10FFFF).
bool isValidUtf8(std::string_view s);

/// Appends s as a JSON string literal (with quotes) to out.
void appendJsonString(std::string &out, std::string_view s);

} // namespace lowbit
