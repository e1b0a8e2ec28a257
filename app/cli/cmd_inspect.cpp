// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/commands.h"
#include <ostream>
namespace lowbit::cli {
int runInspect(const std::vector<std::string> &, std::ostream &, std::ostream &err) { err << "todo\n"; return 1; }
}
