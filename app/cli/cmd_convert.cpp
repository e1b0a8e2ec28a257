// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit convert IN.bin OUT_DIR [--force]: llama2.c checkpoint → Hugging Face folder.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/io/convert_llama2c.h"

#include <ostream>

namespace lowbit::cli {

int runConvert(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string parseError;
    const auto args = Args::parse(argv, {"force"}, {}, parseError);
    if (!args || args->positionals().size() != 2) {
        err << "lowbit convert: " << (args ? "expected IN.bin and OUT_DIR" : parseError) << "\nusage: lowbit convert IN.bin OUT_DIR [--force]\n";
        return 2;
    }
    auto report = convertLlama2cToHf(args->positionals()[0], args->positionals()[1], args->flag("force"));
    if (!report) {
        err << "lowbit convert: " << report.error().message() << "\n";
        return 1;
    }
    out << "converted " << report->tensors << " tensors (" << withThousands(report->params) << " parameters)\n";
    for (const auto &p : report->written)
        out << "wrote " << p << "\n";
    return 0;
}

} // namespace lowbit::cli
