// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/args.h"

namespace lowbit::cli {

std::optional<Args> Args::parse(const std::vector<std::string> &argv, const std::set<std::string> &flags,
                                const std::set<std::string> &valued, std::string &error)
{
    Args a;
    bool onlyPositionals = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string &s = argv[i];
        if (onlyPositionals || s.size() < 2 || s[0] != '-' || (s[1] != '-' && s.size() > 2 && std::isdigit(static_cast<unsigned char>(s[1])))) {
            a.m_positionals.push_back(s);
            continue;
        }
        if (s == "--") {
            onlyPositionals = true;
            continue;
        }
        std::string name = s.substr(s[1] == '-' ? 2 : 1);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (flags.count(name)) {
            if (inlineValue) {
                error = "option --" + name + " takes no value";
                return std::nullopt;
            }
            a.m_flags.insert(name);
        } else if (valued.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= argv.size()) {
                    error = "option --" + name + " needs a value";
                    return std::nullopt;
                }
                inlineValue = argv[++i];
            }
            a.m_values.emplace(name, *inlineValue);
        } else {
            error = "unknown option " + s;
            return std::nullopt;
        }
    }
    return a;
}

std::optional<std::string> Args::value(const std::string &name) const
{
    auto range = m_values.equal_range(name);
    if (range.first == range.second)
        return std::nullopt;
    return std::prev(range.second)->second; // last one wins
}

std::vector<std::string> Args::values(const std::string &name) const
{
    std::vector<std::string> out;
    auto range = m_values.equal_range(name);
    for (auto it = range.first; it != range.second; ++it)
        out.push_back(it->second);
    return out;
}

} // namespace lowbit::cli
