// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/json.h"

#include "core/util/utf8.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace lowbit {

double Json::asDouble() const
{
    switch (m_type) {
    case Type::Int: return static_cast<double>(m_int);
    case Type::UInt: return static_cast<double>(m_uint);
    case Type::Double: return m_double;
    default: return 0.0;
    }
}

std::optional<std::int64_t> Json::asInt64() const
{
    if (m_type == Type::Int)
        return m_int;
    if (m_type == Type::UInt && m_uint <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(m_uint);
    return std::nullopt;
}

std::optional<std::uint64_t> Json::asUInt64() const
{
    if (m_type == Type::UInt)
        return m_uint;
    if (m_type == Type::Int && m_int >= 0)
        return static_cast<std::uint64_t>(m_int);
    return std::nullopt;
}

const Json *Json::find(std::string_view key) const
{
    if (m_type != Type::Object)
        return nullptr;
    for (const auto &[k, v] : m_object)
        if (k == key)
            return &v;
    return nullptr;
}

Json &Json::operator[](std::string_view key)
{
    if (m_type == Type::Null)
        m_type = Type::Object;
    for (auto &[k, v] : m_object)
        if (k == key)
            return v;
    m_object.emplace_back(std::string(key), Json());
    return m_object.back().second;
}

void Json::push(Json v)
{
    if (m_type == Type::Null)
        m_type = Type::Array;
    m_array.push_back(std::move(v));
}

std::size_t Json::size() const
{
    if (m_type == Type::Array)
        return m_array.size();
    if (m_type == Type::Object)
        return m_object.size();
    return 0;
}

void appendJsonString(std::string &out, std::string_view s)
{
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

static void appendNewline(std::string &out, int indent, int level)
{
    if (indent < 0)
        return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent * level), ' ');
}

void Json::dumpTo(std::string &out, int indent, int level) const
{
    switch (m_type) {
    case Type::Null: out += "null"; break;
    case Type::Bool: out += m_bool ? "true" : "false"; break;
    case Type::Int: out += std::to_string(m_int); break;
    case Type::UInt: out += std::to_string(m_uint); break;
    case Type::Double: {
        if (!std::isfinite(m_double)) { // JSON has no NaN/Inf
            out += "null";
            break;
        }
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, m_double); // shortest round-trip
        (void)ec;
        std::string_view sv(buf, static_cast<std::size_t>(end - buf));
        out += sv;
        if (sv.find_first_of(".eE") == std::string_view::npos)
            out += ".0";
        break;
    }
    case Type::String: appendJsonString(out, m_string); break;
    case Type::Array:
        out += '[';
        for (std::size_t i = 0; i < m_array.size(); ++i) {
            if (i)
                out += ',';
            appendNewline(out, indent, level + 1);
            m_array[i].dumpTo(out, indent, level + 1);
        }
        if (!m_array.empty())
            appendNewline(out, indent, level);
        out += ']';
        break;
    case Type::Object:
        out += '{';
        for (std::size_t i = 0; i < m_object.size(); ++i) {
            if (i)
                out += ',';
            appendNewline(out, indent, level + 1);
            appendJsonString(out, m_object[i].first);
            out += indent < 0 ? ":" : ": ";
            m_object[i].second.dumpTo(out, indent, level + 1);
        }
        if (!m_object.empty())
            appendNewline(out, indent, level);
        out += '}';
        break;
    }
}

std::string Json::dump(int indent) const
{
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

bool isValidUtf8(std::string_view s)
{
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int len;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1Fu;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0Fu;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(len) > n)
            return false;
        for (int k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        static constexpr std::uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += static_cast<std::size_t>(len);
    }
    return true;
}

namespace {

class Parser {
public:
    Parser(std::string_view text, const JsonParseOptions &opt) : m_s(text), m_opt(opt) {}

    Result<Json> parseDocument()
    {
        skipWs();
        LOWBIT_TRY(Json v, parseValue(0));
        skipWs();
        if (m_pos != m_s.size())
            return fail("unexpected trailing characters");
        return v;
    }

private:
    Error fail(std::string_view what) const
    {
        return makeError(ErrorCode::Malformed, "JSON at byte " + std::to_string(m_pos) + ": " + std::string(what));
    }

    void skipWs()
    {
        while (m_pos < m_s.size()) {
            const char c = m_s[m_pos];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                ++m_pos;
            else
                break;
        }
    }

    bool consume(std::string_view lit)
    {
        if (m_s.substr(m_pos, lit.size()) == lit) {
            m_pos += lit.size();
            return true;
        }
        return false;
    }

    Result<Json> parseValue(int depth)
    {
        if (depth > m_opt.maxDepth)
            return fail("nesting deeper than " + std::to_string(m_opt.maxDepth));
        if (m_pos >= m_s.size())
            return fail("unexpected end of input");
        const char c = m_s[m_pos];
        if (c == '{')
            return parseObject(depth);
        if (c == '[')
            return parseArray(depth);
        if (c == '"') {
            LOWBIT_TRY(std::string s, parseString());
            return Json(std::move(s));
        }
        if (consume("true"))
            return Json(true);
        if (consume("false"))
            return Json(false);
        if (consume("null"))
            return Json();
        if (c == '-' || (c >= '0' && c <= '9'))
            return parseNumber();
        return fail(std::string("unexpected character '") + c + "'");
    }

    Result<Json> parseObject(int depth)
    {
        ++m_pos; // '{'
        Json::Object obj;
        skipWs();
        if (m_pos < m_s.size() && m_s[m_pos] == '}') {
            ++m_pos;
            return Json(std::move(obj));
        }
        while (true) {
            skipWs();
            if (m_pos >= m_s.size() || m_s[m_pos] != '"')
                return fail("expected a string key");
            LOWBIT_TRY(std::string key, parseString());
            skipWs();
            if (m_pos >= m_s.size() || m_s[m_pos] != ':')
                return fail("expected ':'");
            ++m_pos;
            skipWs();
            LOWBIT_TRY(Json v, parseValue(depth + 1));
            if (m_opt.rejectDuplicateKeys) {
                for (const auto &kv : obj)
                    if (kv.first == key)
                        return fail("duplicate key \"" + key + "\"");
            }
            obj.emplace_back(std::move(key), std::move(v));
            skipWs();
            if (m_pos >= m_s.size())
                return fail("unterminated object");
            if (m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_s[m_pos] == '}') {
                ++m_pos;
                return Json(std::move(obj));
            }
            return fail("expected ',' or '}'");
        }
    }

    Result<Json> parseArray(int depth)
    {
        ++m_pos; // '['
        Json::Array arr;
        skipWs();
        if (m_pos < m_s.size() && m_s[m_pos] == ']') {
            ++m_pos;
            return Json(std::move(arr));
        }
        while (true) {
            skipWs();
            LOWBIT_TRY(Json v, parseValue(depth + 1));
            arr.push_back(std::move(v));
            skipWs();
            if (m_pos >= m_s.size())
                return fail("unterminated array");
            if (m_s[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_s[m_pos] == ']') {
                ++m_pos;
                return Json(std::move(arr));
            }
            return fail("expected ',' or ']'");
        }
    }

    Result<std::uint32_t> parseHex4()
    {
        if (m_pos + 4 > m_s.size())
            return fail("truncated \\u escape");
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_s[m_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return fail("bad hex digit in \\u escape");
        }
        return v;
    }

    Result<std::string> parseString()
    {
        ++m_pos; // '"'
        std::string out;
        const std::size_t start = m_pos;
        while (true) {
            if (m_pos >= m_s.size())
                return fail("unterminated string");
            const auto c = static_cast<unsigned char>(m_s[m_pos]);
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (c < 0x20)
                return fail("control character in string");
            if (c != '\\') {
                out += static_cast<char>(c);
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (m_pos >= m_s.size())
                return fail("unterminated escape");
            const char e = m_s[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                LOWBIT_TRY(std::uint32_t cp, parseHex4());
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    if (!consume("\\u"))
                        return fail("unpaired high surrogate");
                    LOWBIT_TRY(std::uint32_t lo, parseHex4());
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail("invalid low surrogate");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail("unpaired low surrogate");
                }
                appendUtf8(out, cp);
                break;
            }
            default: return fail("invalid escape");
            }
        }
        if (!isValidUtf8(out)) {
            m_pos = start;
            return fail("string is not valid UTF-8");
        }
        return out;
    }

    Result<Json> parseNumber()
    {
        const std::size_t start = m_pos;
        if (m_s[m_pos] == '-')
            ++m_pos;
        auto digits = [&] {
            std::size_t n = 0;
            while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') {
                ++m_pos;
                ++n;
            }
            return n;
        };
        const std::size_t intStart = m_pos;
        if (digits() == 0)
            return fail("invalid number");
        if (m_s[intStart] == '0' && m_pos - intStart > 1)
            return fail("leading zero in number");
        bool isInt = true;
        if (m_pos < m_s.size() && m_s[m_pos] == '.') {
            ++m_pos;
            isInt = false;
            if (digits() == 0)
                return fail("invalid fraction");
        }
        if (m_pos < m_s.size() && (m_s[m_pos] == 'e' || m_s[m_pos] == 'E')) {
            ++m_pos;
            isInt = false;
            if (m_pos < m_s.size() && (m_s[m_pos] == '+' || m_s[m_pos] == '-'))
                ++m_pos;
            if (digits() == 0)
                return fail("invalid exponent");
        }
        const char *b = m_s.data() + start;
        const char *e = m_s.data() + m_pos;
        if (isInt) {
            if (*b == '-') {
                std::int64_t v = 0;
                auto r = std::from_chars(b, e, v);
                if (r.ec == std::errc() && r.ptr == e)
                    return Json(static_cast<long long>(v));
            } else {
                std::uint64_t v = 0;
                auto r = std::from_chars(b, e, v);
                if (r.ec == std::errc() && r.ptr == e)
                    return Json(static_cast<unsigned long long>(v));
            }
            // out of 64-bit range: fall through to double
        }
        double d = 0.0;
        auto r = std::from_chars(b, e, d);
        if (r.ptr != e)
            return fail("invalid number");
        if (r.ec == std::errc::result_out_of_range) {
            // from_chars reports both overflow and underflow this way
            const bool tiny = std::string_view(b, static_cast<std::size_t>(e - b)).find("e-") != std::string_view::npos
                || std::string_view(b, static_cast<std::size_t>(e - b)).find("E-") != std::string_view::npos;
            d = tiny ? 0.0 : HUGE_VAL;
            if (*b == '-')
                d = -d;
        }
        return Json(d);
    }

    std::string_view m_s;
    const JsonParseOptions &m_opt;
    std::size_t m_pos = 0;
};

} // namespace

Result<Json> parseJson(std::string_view text, const JsonParseOptions &options)
{
    Parser p(text, options);
    return p.parseDocument();
}

} // namespace lowbit
