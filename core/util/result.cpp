// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/result.h"

namespace lowbit {

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::NotFound: return "not found";
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::Truncated: return "truncated";
    case ErrorCode::Malformed: return "malformed";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Inconsistent: return "inconsistent";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "error";
}

std::string Error::message() const
{
    std::string m(errorCodeName(code));
    if (!detail.empty()) {
        m += ": ";
        m += detail;
    }
    return m;
}

Error Error::withContext(std::string_view context) const
{
    std::string d(context);
    d += ": ";
    d += detail;
    return Error{code, std::move(d)};
}

} // namespace lowbit
