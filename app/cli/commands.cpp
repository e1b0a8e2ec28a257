// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/commands.h"
#include "app/cli/quantize_options.h"

#include <ostream>

namespace lowbit::cli {

const std::vector<Command> &commands()
{
    static const std::vector<Command> table = {
        {"inspect", "show a model's config and per-tensor statistics",
         "lowbit inspect MODEL [--json] [--threads N]", runInspect},
        {"convert", "convert a llama2.c checkpoint into a Hugging Face folder",
         "lowbit convert IN.bin OUT_DIR [--force]", runConvert},
        {"formats", "list every quantization format with its bits per weight",
         "lowbit formats [--group G] [--json]", runFormats},
        {"error", "per-tensor RTN quantization error of every linear weight",
         "lowbit error MODEL --format NAME [--group G] [--scale fp16] [--json]", runError},
        {"eval", "perplexity of a model on a text, or KL/top-1 against a reference model",
         "lowbit eval MODEL --text FILE [--ctx N] [--max-docs N] [--chunked] [--threads T] [--reference MODEL] [--json]", runEval},
        {"generate", "generate text (greedy or sampled) with tokens/s",
         "lowbit generate MODEL [--prompt S] [-n N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]", runGenerate},
        {"calibrate", "accumulate per-layer input statistics (Hessians) over a text",
         "lowbit calibrate MODEL --text FILE [--tokens N] --out FILE [--force]", runCalibrate},
        {"quantize", "quantize a model (RTN, clipping, GPTQ, VPTQ, AdaQuant) into the studio container",
         kQuantizeUsage, runQuantize},
        {"plan", "mixed precision under a bit budget: per-layer sensitivities, exact allocation, plan file",
         "lowbit plan MODEL --budget BPW --menu FORMATS --calib TEXT [--groups 32,64] [--method gptq] [--out PLAN.json] | --show PLAN.json", runPlan},
        {"export", "write a (quantized) model as GGUF, GPTQ, compressed-tensors or fake-quant safetensors",
         "lowbit export QMODEL --to gguf|gptq|compressed-tensors|vptq|fakequant --out PATH [--type Q4_K] [--strict] [--dtype f16] [--force] [--json]", runExport},
        {"devices", "list the Vulkan devices with memory and features",
         "lowbit devices [--json]", runDevices},
    };
    return table;
}

static void printHelp(std::ostream &out)
{
    out << "lowbit - low-bit quantization studio for LLaMA-family models\n\nUsage: lowbit COMMAND [ARGS]\n\nCommands:\n";
    for (const auto &c : commands())
        out << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << "\n";
    out << "\nRun 'lowbit help COMMAND' for a command's options.\n";
}

int runCli(int argc, char **argv, std::ostream &out, std::ostream &err)
{
    if (argc < 2) {
        printHelp(err);
        return 2;
    }
    const std::string name = argv[1];
    if (name == "help" || name == "--help" || name == "-h") {
        if (argc >= 3) {
            for (const auto &c : commands())
                if (c.name == argv[2]) {
                    out << c.usage << "\n  " << c.summary << "\n";
                    return 0;
                }
        }
        printHelp(out);
        return 0;
    }
    if (name == "--version" || name == "version") {
        out << "lowbit " << LOWBIT_VERSION << "\n";
        return 0;
    }
    for (const auto &c : commands()) {
        if (c.name == name) {
            std::vector<std::string> rest(argv + 2, argv + argc);
            return c.run(rest, out, err);
        }
    }
    err << "lowbit: unknown command '" << name << "'\n\n";
    printHelp(err);
    return 2;
}

} // namespace lowbit::cli
