// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/commands.h"

#include <iostream>

int main(int argc, char **argv) { return lowbit::cli::runCli(argc, argv, std::cout, std::cerr); }
