// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_pretokenize.h"

#include <array>

namespace lowbit {

namespace {

enum class CharClass { Letter, Number, Space, Other };

CharClass classify(std::uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return CharClass::Letter;
        if (cp >= '0' && cp <= '9')
            return CharClass::Number;
        if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
            return CharClass::Space;
        return CharClass::Other;
    }
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
        || cp == 0x205F || cp == 0x3000)
        return CharClass::Space;
    if ((cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB2 && cp != 0xB3 && cp != 0xB5 && cp != 0xB9 && cp != 0xBA && cp != 0xBC
         && cp != 0xBD && cp != 0xBE)
        || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2010 && cp <= 0x2067) || (cp >= 0x20A0 && cp <= 0x20CF) || (cp >= 0x2190 && cp <= 0x2BFF)
        || (cp >= 0x3001 && cp <= 0x3003) || (cp >= 0x3008 && cp <= 0x3020) || (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20))
        return CharClass::Other;
    if ((cp >= 0xFF10 && cp <= 0xFF19) || cp == 0xB2 || cp == 0xB3 || cp == 0xB9 || (cp >= 0xBC && cp <= 0xBE) || (cp >= 0x0660 && cp <= 0x0669)
        || (cp >= 0x0966 && cp <= 0x096F))
        return CharClass::Number;
    return CharClass::Letter;
}

std::array<std::uint32_t, 256> byteToCodePoint()
{
    std::array<std::uint32_t, 256> map{};
    std::uint32_t next = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
        map[b] = printable ? b : next++;
    }
    return map;
}

constexpr std::uint32_t kMapEnd = 256 + 68; // 68 bytes are not printable and move above 255

std::array<std::int16_t, kMapEnd> codePointToByte()
{
    std::array<std::int16_t, kMapEnd> rev{};
    rev.fill(-1);
    const auto map = byteToCodePoint();
    for (std::uint32_t b = 0; b < 256; ++b)
        rev[map[b]] = static_cast<std::int16_t>(b);
    return rev;
}

struct Cps {
    std::vector<std::uint32_t> cp;
    std::vector<std::size_t> offset; ///< byte offset of each code point, plus the end
    std::vector<CharClass> cls;
};

Cps decodeAll(std::string_view text)
{
    Cps c;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = codePointAt(text, i, cp);
        c.cp.push_back(cp);
        c.offset.push_back(i);
        c.cls.push_back(classify(cp));
        i += len;
    }
    c.offset.push_back(text.size());
    return c;
}

/// Length of a contraction ('s 't 're 've 'm 'll 'd) starting at the apostrophe k, or 0.
std::size_t contractionAt(const Cps &c, std::size_t k, bool ignoreCase)
{
    const std::size_t n = c.cp.size();
    if (c.cp[k] != '\'')
        return 0;
    static const char *const kSuffixes[] = {"s", "t", "re", "ve", "m", "ll", "d"};
    for (const char *s : kSuffixes) {
        const std::size_t len = std::char_traits<char>::length(s);
        bool ok = k + len < n;
        for (std::size_t j = 0; ok && j < len; ++j) {
            std::uint32_t ch = c.cp[k + 1 + j];
            if (ignoreCase && ch >= 'A' && ch <= 'Z')
                ch += 'a' - 'A';
            ok = ch == static_cast<unsigned char>(s[j]);
        }
        if (ok)
            return 1 + len;
    }
    return 0;
}

std::size_t runOf(const Cps &c, std::size_t k, CharClass cls, std::size_t limit = SIZE_MAX)
{
    const std::size_t start = k;
    while (k < c.cp.size() && k - start < limit && c.cls[k] == cls)
        ++k;
    return k;
}

/// \s+(?!\S)|\s+ at the whitespace k: all of the run at the end of the text, else all but its last
/// character (which then leads the next word) when the run is longer than one.
std::size_t whitespaceEnd(const Cps &c, std::size_t k)
{
    std::size_t j = runOf(c, k, CharClass::Space);
    if (j < c.cp.size() && j - k >= 2)
        --j;
    return j;
}

std::size_t nextGpt2(const Cps &c, std::size_t i)
{
    const std::size_t n = c.cp.size();
    if (const std::size_t len = contractionAt(c, i, false))
        return i + len;
    std::size_t k = i;
    if (c.cp[k] == ' ' && k + 1 < n && c.cls[k + 1] != CharClass::Space)
        ++k; // " ?" before a letter, number or punctuation run
    if (c.cls[k] == CharClass::Space)
        return whitespaceEnd(c, k);
    return runOf(c, k, c.cls[k]);
}

std::size_t nextLlama3(const Cps &c, std::size_t i, int maxDigits)
{
    const std::size_t n = c.cp.size();
    auto isNewline = [&](std::size_t k) { return c.cp[k] == '\r' || c.cp[k] == '\n'; };
    if (const std::size_t len = contractionAt(c, i, true))
        return i + len;
    const CharClass cls = c.cls[i];
    if (cls == CharClass::Letter) // [^\r\n\p{L}\p{N}]?\p{L}+
        return runOf(c, i, CharClass::Letter);
    if (cls != CharClass::Number && !isNewline(i) && i + 1 < n && c.cls[i + 1] == CharClass::Letter)
        return runOf(c, i + 1, CharClass::Letter);
    if (cls == CharClass::Number) // \p{N}{1,D}
        return runOf(c, i, CharClass::Number, static_cast<std::size_t>(maxDigits));
    std::size_t k = i; //  ?[^\s\p{L}\p{N}]+[\r\n]*
    if (c.cp[k] == ' ' && k + 1 < n && c.cls[k + 1] == CharClass::Other)
        ++k;
    if (c.cls[k] == CharClass::Other) {
        k = runOf(c, k, CharClass::Other);
        while (k < n && isNewline(k))
            ++k;
        return k;
    }
    // whitespace: \s*[\r\n]+ ends after the run's last newline; else \s+(?!\S)|\s+
    const std::size_t j = runOf(c, i, CharClass::Space);
    for (std::size_t p = j; p > i; --p)
        if (isNewline(p - 1))
            return p;
    return whitespaceEnd(c, i);
}

} // namespace

std::size_t codePointAt(std::string_view s, std::size_t i, std::uint32_t &cp)
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size())
        len = 1;
    for (std::size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            len = 1; // not a continuation byte: the lead byte stands alone
    cp = len == 1 ? c : c & (0xFFu >> (len + 1));
    for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    return len;
}

std::vector<std::string_view> splitWords(std::string_view text, SplitPattern pattern, int maxDigits)
{
    if (text.empty())
        return {};
    if (pattern == SplitPattern::None)
        return {text};
    if (maxDigits < 1)
        maxDigits = 1;
    const Cps c = decodeAll(text);
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < c.cp.size();) {
        std::size_t j = pattern == SplitPattern::Gpt2 ? nextGpt2(c, i) : nextLlama3(c, i, maxDigits);
        if (j <= i)
            j = i + 1; // never stall (cannot happen: every class is covered)
        out.push_back(text.substr(c.offset[i], c.offset[j] - c.offset[i]));
        i = j;
    }
    return out;
}

std::string byteLevelEncode(std::string_view bytes)
{
    static const auto map = byteToCodePoint();
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char ch : bytes)
        appendUtf8(out, map[static_cast<unsigned char>(ch)]);
    return out;
}

std::string byteLevelDecode(std::string_view text)
{
    static const auto rev = codePointToByte();
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = codePointAt(text, i, cp);
        if (cp < kMapEnd && rev[cp] >= 0 && !(len == 1 && cp >= 0x80)) // a stray byte is not the code point
            out += static_cast<char>(rev[cp]);
        else
            out.append(text.substr(i, len));
        i += len;
    }
    return out;
}

} // namespace lowbit
