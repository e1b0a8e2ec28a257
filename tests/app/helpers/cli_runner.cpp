// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli_runner.h"

#include "app/cli/commands.h"

#include <sstream>

namespace lowbit::test {

int runLowbit(std::vector<std::string> args, std::string &out, std::string &err)
{
    args.insert(args.begin(), "lowbit");
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    std::ostringstream o, e;
    const int rc = cli::runCli(static_cast<int>(argv.size()), argv.data(), o, e);
    out = o.str();
    err = e.str();
    return rc;
}

} // namespace lowbit::test
