// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Command-line arguments of one `lowbit` sub-command: positionals plus --options.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lowbit::cli {

class Args {
public:
    /// Parses argv[first..]. `flags` are options without a value (--json); every other --opt
    /// takes one value (--opt V or --opt=V). Options may repeat (all values are kept).
    /// Returns nullopt and sets `error` on an unknown option or a missing value.
    static std::optional<Args> parse(const std::vector<std::string> &argv, const std::set<std::string> &flags,
                                     const std::set<std::string> &valued, std::string &error);

    const std::vector<std::string> &positionals() const { return m_positionals; }
    bool flag(const std::string &name) const { return m_flags.count(name) != 0; }
    std::optional<std::string> value(const std::string &name) const;
    std::vector<std::string> values(const std::string &name) const;

private:
    std::vector<std::string> m_positionals;
    std::set<std::string> m_flags;
    std::multimap<std::string, std::string> m_values;
};

} // namespace lowbit::cli
