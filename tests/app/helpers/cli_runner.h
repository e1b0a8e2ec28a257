// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Runs `lowbit ARGS…` in-process, capturing standard output and error (CLI tests).

#include <string>
#include <vector>

namespace lowbit::test {

/// argv without the program name; returns the exit code.
int runLowbit(std::vector<std::string> args, std::string &out, std::string &err);

} // namespace lowbit::test
