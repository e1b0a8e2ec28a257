// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder until the datatype library lands (issue 3).
#include "app/cli/commands.h"

#include <ostream>

namespace lowbit::cli {

int runFormats(const std::vector<std::string> &, std::ostream &, std::ostream &err)
{
    err << "lowbit formats: not available yet\n";
    return 1;
}

} // namespace lowbit::cli
