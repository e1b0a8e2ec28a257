// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The `lowbit` sub-commands. Each takes its own argv (after the command name), writes results
/// to out and problems to err, and returns the process exit code (0 ok, 1 failure, 2 usage).

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit::cli {

using CommandFn = int (*)(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

struct Command {
    std::string_view name;
    std::string_view summary;
    std::string_view usage;
    CommandFn run;
};

int runInspect(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runConvert(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runFormats(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runError(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runEval(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runGenerate(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runCalibrate(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runQuantize(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runPlan(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runExport(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);
int runDevices(const std::vector<std::string> &args, std::ostream &out, std::ostream &err);

/// All commands, in the order `lowbit help` lists them.
const std::vector<Command> &commands();

/// Entry point of the `lowbit` executable (argv as given to main).
int runCli(int argc, char **argv, std::ostream &out, std::ostream &err);

} // namespace lowbit::cli
