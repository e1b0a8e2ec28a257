// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder: replaced by the llama2.c converter's command.
#include "app/cli/commands.h"
#include <ostream>
namespace lowbit::cli {
int runConvert(const std::vector<std::string> &, std::ostream &, std::ostream &err) { err << "lowbit convert: not available yet\n"; return 1; }
}
