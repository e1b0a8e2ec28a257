// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Result<T>: an expected-style return type for core (std::expected is C++23).
/// Core code never throws across its API and never aborts on bad input: it returns an Error.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace lowbit {

enum class ErrorCode : std::uint8_t {
    InvalidArgument, ///< the caller asked for something impossible (bad option, unknown name)
    NotFound,        ///< a file, tensor or key that must exist does not
    Io,              ///< the operating system refused (open, read, write, mmap, rename)
    Truncated,       ///< a file ends before what its header promises
    Malformed,       ///< a file's content breaks its format's rules
    Unsupported,     ///< valid but not handled (yet): a dtype, a version, an architecture
    Inconsistent,    ///< parts disagree (config vs tensor shapes, shards vs index)
    Cancelled,       ///< the user stopped the operation
    Internal,        ///< a bug of ours; reported instead of crashing
};

std::string_view errorCodeName(ErrorCode code);

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string detail; ///< human-readable, names the file and the problem

    /// "malformed: model.safetensors: tensor 'x' ends past the file"
    std::string message() const;
    /// Prefixes the detail with context ("shard 2: " + detail), keeping the code.
    Error withContext(std::string_view context) const;
};

inline Error makeError(ErrorCode code, std::string detail) { return Error{code, std::move(detail)}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_v); }
    const T &value() const & { return std::get<0>(m_v); }
    T &&value() && { return std::get<0>(std::move(m_v)); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    const Error &error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

using Status = Result<void>;

} // namespace lowbit

#define LOWBIT_CONCAT_INNER(a, b) a##b
#define LOWBIT_CONCAT(a, b) LOWBIT_CONCAT_INNER(a, b)

/// LOWBIT_TRY(auto x, expr): evaluates a Result, returns its error from the enclosing function,
/// otherwise binds the value.
#define LOWBIT_TRY(decl, expr) LOWBIT_TRY_IMPL(LOWBIT_CONCAT(lowbit_try_, __LINE__), decl, expr)
#define LOWBIT_TRY_IMPL(tmp, decl, expr)                                                          \
    auto tmp = (expr);                                                                            \
    if (!tmp.ok())                                                                                \
        return tmp.error();                                                                       \
    decl = std::move(tmp).value()

/// LOWBIT_CHECK(status_expr): returns the error of a Result<void> (or any Result) if it failed.
#define LOWBIT_CHECK(expr)                                                                        \
    do {                                                                                          \
        auto lowbit_check_r = (expr);                                                             \
        if (!lowbit_check_r.ok())                                                                 \
            return lowbit_check_r.error();                                                        \
    } while (0)
