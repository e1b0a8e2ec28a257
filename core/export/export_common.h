// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What every exporter shares: options (--force, --strict, progress, cancellation), the report of
/// what happened to each tensor, the free-space check, and staged output — a file or a folder
/// written beside the target and renamed into place only when complete, so an error or a
/// cancellation leaves the old target (if any) untouched and nothing new behind.
///
/// Tensors are written by streaming producers (one tensor, or one chunk of rows, in memory at a
/// time), into GGUF or safetensors containers laid out before any data is produced.

#include "core/dtypes/dtype.h"
#include "core/util/atomic_file.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

namespace lowbit {

/// Progress: bytes written so far, bytes in total, the item being written.
using ExportProgressFn = std::function<void(std::uint64_t done, std::uint64_t total, const std::string &item)>;

struct ExportOptions {
    bool overwrite = false;             ///< replace an existing target (--force)
    bool strict = false;                ///< refuse to re-quantize a tensor the target cannot carry (--strict)
    std::optional<DType> ggufType;      ///< GGUF: one type for every weight matrix (--type); none: from the plan
    DType fakeQuantDtype = DType::F16;  ///< fake-quant: F16, BF16 or F32
    ExportProgressFn progress;
    std::stop_token stop;
    /// Testing hook: fail with an Io error once this many bytes of tensor data have been written
    /// (0: never), as a full disk or a pulled cable would.
    std::uint64_t failAfterBytes = 0;
};

/// What happened to one tensor.
enum class ExportAction : std::uint8_t {
    Copied,      ///< stored as it was (same dtype, bytes unchanged apart from the q/k row order)
    Carried,     ///< studio codes and scales carried into the target layout bit-exactly
    Requantized, ///< decoded and quantized again to the target type (relError says how far)
    Converted,   ///< converted exactly (e.g. decoded studio weights stored as fp32)
    Rounded,     ///< converted to a narrower float (fp16/bf16: rounding only)
};
std::string_view exportActionName(ExportAction a);

struct ExportedTensor {
    std::string name;          ///< name in the source model
    std::string target;        ///< name in the output
    std::string source;        ///< source representation ("f32", "int4 g128 fp16")
    std::string targetType;    ///< "q4_K", "gptq int4 g128", …
    ExportAction action = ExportAction::Copied;
    double relError = 0.0;     ///< ‖out − source‖² / ‖source‖² over the decoded weights (0 when exact)
};

struct ExportReport {
    std::string format;        ///< "gguf", "gptq", "compressed-tensors", "fakequant", "vptq"
    std::string path;
    std::uint64_t bytes = 0;   ///< bytes written
    double seconds = 0;
    std::vector<ExportedTensor> tensors;
    std::vector<std::string> warnings;
    Json toJson() const;
};

/// Errors: InvalidArgument when `path` exists and overwrite is false ("use --force"); NotFound
/// when its folder does not exist.
Status checkExportTarget(const std::string &path, bool overwrite);

/// Free bytes (for an unprivileged user) on the file system that would hold `path`.
Result<std::uint64_t> freeDiskBytes(const std::string &path);
/// Errors: Io naming the folder, the bytes needed and the bytes free when `bytes` (plus 1 MiB)
/// do not fit.
Status checkFreeSpace(const std::string &path, std::uint64_t bytes);

/// Receives a tensor's bytes in order (in one or several pieces).
using ByteSink = std::function<Status(std::span<const std::byte>)>;
/// Produces one tensor's bytes into the sink (exactly the announced byte count).
using TensorProducer = std::function<Status(const ByteSink &emit)>;

/// A tensor of a streamed container: laid out first, produced when its turn comes.
struct StreamTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;   ///< outermost first
    std::uint64_t nbytes = 0;
    TensorProducer produce;
};

/// An output file written through a temporary beside it, with progress, cancellation and the
/// failure hook; commit() renames it into place.
class StagedFile {
public:
    /// `totalBytes` is what the progress reports against.
    static Result<StagedFile> create(const std::string &path, const ExportOptions &options, std::uint64_t totalBytes);
    /// Errors: Cancelled (stop requested), Io (a real or a simulated write failure).
    Status write(std::span<const std::byte> data, const std::string &item = {});
    Status commit() { return m_file.commit(); }
    std::uint64_t written() const { return m_file.bytesWritten(); }

private:
    StagedFile(AtomicFileWriter f, const ExportOptions &o, std::uint64_t total) : m_file(std::move(f)), m_options(&o), m_total(total) {}
    AtomicFileWriter m_file;
    const ExportOptions *m_options;
    std::uint64_t m_total;
};

/// A whole folder built as "<parent>/.<name>.lowbit-tmp-XXXXXX" and renamed onto the target by
/// commit() (an existing target is moved aside first and removed only once the new one is in
/// place). Destroyed uncommitted, the temporary folder is removed with everything in it.
class StagedDirectory {
public:
    static Result<StagedDirectory> create(const std::string &target, bool overwrite);
    StagedDirectory(StagedDirectory &&other) noexcept;
    StagedDirectory &operator=(StagedDirectory &&) = delete;
    StagedDirectory(const StagedDirectory &) = delete;
    ~StagedDirectory();

    /// Path of a file inside the temporary folder.
    std::string path(const std::string &fileName) const;
    /// Writes a small file (configs) whole. Errors: Io.
    Status writeFile(const std::string &fileName, std::string_view contents);
    /// Copies a file into the folder. Errors: Io, NotFound.
    Status copyFile(const std::string &from, const std::string &fileName);
    Status commit();

private:
    StagedDirectory() = default;
    std::string m_target;
    std::string m_temp;
    bool m_overwrite = false;
};

/// Writes a safetensors file of streamed tensors (header first, then each tensor in order).
Status writeStreamedSafetensors(StagedFile &file, const std::vector<StreamTensor> &tensors,
                                const std::vector<std::pair<std::string, std::string>> &metadata);
/// Total file size writeStreamedSafetensors will produce. Errors: InvalidArgument (bad dtype).
Result<std::uint64_t> streamedSafetensorsSize(const std::vector<StreamTensor> &tensors,
                                              const std::vector<std::pair<std::string, std::string>> &metadata);

/// ‖a − b‖² / ‖b‖² in double (0 when b is all zero and a == b).
double relativeSquaredError(const float *a, const float *b, std::size_t n);

/// Produces `rows` rows of a tensor in chunks of at most `chunkRows` rows (a multiple of
/// `rowMultiple`): for each chunk `make(row0, nrows, out)` fills the chunk's bytes.
Status produceInRowChunks(std::int64_t rows, std::int64_t rowMultiple, std::int64_t chunkRows,
                          const std::function<Status(std::int64_t row0, std::int64_t nrows, std::vector<std::byte> &out)> &make,
                          const ByteSink &emit);

} // namespace lowbit
