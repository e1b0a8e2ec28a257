// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/export_common.h"

#include <algorithm>
#include <cerrno>
#include <limits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/statvfs.h>
#include <unistd.h>

namespace lowbit {

namespace fs = std::filesystem;

std::string_view exportActionName(ExportAction a)
{
    static constexpr std::string_view kNames[] = {"copied", "carried", "requantized", "converted", "rounded"};
    return kNames[static_cast<std::size_t>(a)];
}

Json ExportReport::toJson() const
{
    Json j = Json::object();
    j["format"] = format;
    j["path"] = path;
    j["bytes"] = static_cast<unsigned long long>(bytes);
    j["seconds"] = seconds;
    Json list = Json::array();
    for (const ExportedTensor &t : tensors) {
        Json e = Json::object();
        e["name"] = t.name;
        e["target"] = t.target;
        e["source"] = t.source;
        e["type"] = t.targetType;
        e["action"] = std::string(exportActionName(t.action));
        e["rel_error"] = t.relError;
        list.push(std::move(e));
    }
    j["tensors"] = std::move(list);
    Json w = Json::array();
    for (const std::string &s : warnings)
        w.push(s);
    j["warnings"] = std::move(w);
    return j;
}

namespace {

fs::path folderOf(const std::string &path)
{
    fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

} // namespace

Status checkExportTarget(const std::string &path, bool overwrite)
{
    std::error_code ec;
    if (path.empty())
        return makeError(ErrorCode::InvalidArgument, "no output path given");
    if (fs::exists(path, ec) && !overwrite)
        return makeError(ErrorCode::InvalidArgument, path + ": already exists (use --force to overwrite)");
    const fs::path dir = folderOf(path);
    if (!fs::is_directory(dir, ec))
        return makeError(ErrorCode::NotFound, path + ": folder " + dir.string() + " does not exist");
    return {};
}

Result<std::uint64_t> freeDiskBytes(const std::string &path)
{
    const fs::path dir = folderOf(path);
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0)
        return makeError(ErrorCode::Io, dir.string() + ": cannot query free space: " + std::strerror(errno));
    return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

Status checkFreeSpace(const std::string &path, std::uint64_t bytes)
{
    LOWBIT_TRY(const std::uint64_t freeBytes, freeDiskBytes(path));
    const std::uint64_t need = bytes + (std::uint64_t(1) << 20);
    if (freeBytes < need)
        return makeError(ErrorCode::Io, folderOf(path).string() + ": not enough free disk space for " + path + " (needs "
                                            + std::to_string(need >> 20) + " MiB, " + std::to_string(freeBytes >> 20) + " MiB free)");
    return {};
}

// ---------------------------------------------------------------------------------------------

Result<StagedFile> StagedFile::create(const std::string &path, const ExportOptions &options, std::uint64_t totalBytes)
{
    LOWBIT_CHECK(checkExportTarget(path, options.overwrite));
    LOWBIT_CHECK(checkFreeSpace(path, totalBytes));
    LOWBIT_TRY(AtomicFileWriter f, AtomicFileWriter::create(path, options.overwrite));
    return StagedFile(std::move(f), options, totalBytes);
}

Status StagedFile::write(std::span<const std::byte> data, const std::string &item)
{
    if (m_options->stop.stop_requested()) {
        m_file.discard();
        return makeError(ErrorCode::Cancelled, m_file.targetPath() + ": export cancelled");
    }
    if (m_options->failAfterBytes > 0 && m_file.bytesWritten() + data.size() > m_options->failAfterBytes) {
        m_file.discard();
        return makeError(ErrorCode::Io, m_file.targetPath() + ": cannot write: simulated write failure");
    }
    LOWBIT_CHECK(m_file.write(data));
    if (m_options->progress)
        m_options->progress(m_file.bytesWritten(), m_total, item);
    return {};
}

// ---------------------------------------------------------------------------------------------

Result<StagedDirectory> StagedDirectory::create(const std::string &target, bool overwrite)
{
    LOWBIT_CHECK(checkExportTarget(target, overwrite));
    std::error_code ec;
    if (fs::exists(target, ec) && !fs::is_directory(target, ec))
        return makeError(ErrorCode::InvalidArgument, target + ": exists and is not a folder");
    fs::path t(target);
    if (!t.has_filename())
        t = t.parent_path();
    std::string tmpl = (folderOf(t.string()) / ("." + t.filename().string() + ".lowbit-tmp-XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        return makeError(ErrorCode::Io, target + ": cannot create a temporary folder: " + std::strerror(errno));
    StagedDirectory d;
    d.m_target = t.string();
    d.m_temp = tmpl;
    d.m_overwrite = overwrite;
    return d;
}

StagedDirectory::StagedDirectory(StagedDirectory &&o) noexcept
    : m_target(std::move(o.m_target)), m_temp(std::move(o.m_temp)), m_overwrite(o.m_overwrite)
{
    o.m_temp.clear();
}

StagedDirectory::~StagedDirectory()
{
    if (!m_temp.empty()) {
        std::error_code ec;
        fs::remove_all(m_temp, ec);
    }
}

std::string StagedDirectory::path(const std::string &fileName) const { return (fs::path(m_temp) / fileName).string(); }

Status StagedDirectory::writeFile(const std::string &fileName, std::string_view contents)
{
    std::ofstream f(path(fileName), std::ios::binary | std::ios::trunc);
    f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    f.close();
    if (!f)
        return makeError(ErrorCode::Io, path(fileName) + ": cannot write");
    return {};
}

Status StagedDirectory::copyFile(const std::string &from, const std::string &fileName)
{
    std::error_code ec;
    if (!fs::is_regular_file(from, ec))
        return makeError(ErrorCode::NotFound, from + ": not found");
    if (!fs::copy_file(from, path(fileName), fs::copy_options::overwrite_existing, ec))
        return makeError(ErrorCode::Io, from + ": cannot copy into the export: " + ec.message());
    return {};
}

Status StagedDirectory::commit()
{
    if (m_temp.empty())
        return makeError(ErrorCode::Internal, m_target + ": commit of a finished staged folder");
    std::error_code ec;
    std::string aside;
    if (fs::exists(m_target, ec)) {
        if (!m_overwrite)
            return makeError(ErrorCode::InvalidArgument, m_target + ": already exists (use --force to overwrite)");
        aside = m_temp + "-old";
        fs::rename(m_target, aside, ec);
        if (ec)
            return makeError(ErrorCode::Io, m_target + ": cannot move the old folder aside: " + ec.message());
    }
    fs::rename(m_temp, m_target, ec);
    if (ec) {
        const std::string reason = ec.message();
        if (!aside.empty())
            fs::rename(aside, m_target, ec); // put the old one back
        return makeError(ErrorCode::Io, m_target + ": cannot move the export into place: " + reason);
    }
    m_temp.clear();
    if (!aside.empty())
        fs::remove_all(aside, ec);
    return {};
}

// ---------------------------------------------------------------------------------------------

namespace {

Result<std::string> safetensorsHeaderText(const std::vector<StreamTensor> &tensors,
                                          const std::vector<std::pair<std::string, std::string>> &metadata)
{
    Json root = Json::object();
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto &[k, v] : metadata)
            meta[k] = v;
        root["__metadata__"] = std::move(meta);
    }
    std::uint64_t offset = 0;
    for (const StreamTensor &t : tensors) {
        const auto &tr = dtypeTraits(t.dtype);
        if (tr.safetensorsName.empty())
            return makeError(ErrorCode::InvalidArgument, "tensor '" + t.name + "': safetensors has no dtype " + std::string(tr.name));
        Json e = Json::object();
        e["dtype"] = std::string(tr.safetensorsName);
        Json shape = Json::array();
        for (std::int64_t d : t.shape)
            shape.push(static_cast<long long>(d));
        e["shape"] = std::move(shape);
        Json offs = Json::array();
        offs.push(static_cast<unsigned long long>(offset));
        offs.push(static_cast<unsigned long long>(offset + t.nbytes));
        e["data_offsets"] = std::move(offs);
        if (root.find(t.name))
            return makeError(ErrorCode::InvalidArgument, "duplicate tensor name '" + t.name + "'");
        root[t.name] = std::move(e);
        offset += t.nbytes;
    }
    std::string text = root.dump();
    text.resize((text.size() + 7) / 8 * 8, ' ');
    return text;
}

} // namespace

Result<std::uint64_t> streamedSafetensorsSize(const std::vector<StreamTensor> &tensors,
                                              const std::vector<std::pair<std::string, std::string>> &metadata)
{
    LOWBIT_TRY(const std::string header, safetensorsHeaderText(tensors, metadata));
    std::uint64_t total = 8 + header.size();
    for (const StreamTensor &t : tensors)
        total += t.nbytes;
    return total;
}

Status writeStreamedSafetensors(StagedFile &file, const std::vector<StreamTensor> &tensors,
                                const std::vector<std::pair<std::string, std::string>> &metadata)
{
    LOWBIT_TRY(const std::string header, safetensorsHeaderText(tensors, metadata));
    const std::uint64_t n = header.size();
    LOWBIT_CHECK(file.write(std::as_bytes(std::span(&n, 1))));
    LOWBIT_CHECK(file.write(std::as_bytes(std::span(header.data(), header.size()))));
    for (const StreamTensor &t : tensors) {
        std::uint64_t produced = 0;
        LOWBIT_CHECK(t.produce([&](std::span<const std::byte> bytes) -> Status {
            produced += bytes.size();
            if (produced > t.nbytes)
                return makeError(ErrorCode::Internal, "tensor '" + t.name + "': producer wrote more than announced");
            return file.write(bytes, t.name);
        }));
        if (produced != t.nbytes)
            return makeError(ErrorCode::Internal, "tensor '" + t.name + "': producer wrote " + std::to_string(produced) + " of "
                                                      + std::to_string(t.nbytes) + " bytes");
    }
    return {};
}

double relativeSquaredError(const float *a, const float *b, std::size_t n)
{
    double num = 0, den = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        num += d * d;
        den += static_cast<double>(b[i]) * static_cast<double>(b[i]);
    }
    if (den == 0.0)
        return num == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
    return num / den;
}

Status produceInRowChunks(std::int64_t rows, std::int64_t rowMultiple, std::int64_t chunkRows,
                          const std::function<Status(std::int64_t, std::int64_t, std::vector<std::byte> &)> &make,
                          const ByteSink &emit)
{
    const std::int64_t step = std::max<std::int64_t>(rowMultiple, chunkRows / std::max<std::int64_t>(rowMultiple, 1) * rowMultiple);
    std::vector<std::byte> buf;
    for (std::int64_t r = 0; r < rows; r += step) {
        const std::int64_t nr = std::min(step, rows - r);
        buf.clear();
        LOWBIT_CHECK(make(r, nr, buf));
        LOWBIT_CHECK(emit(buf));
    }
    return {};
}

} // namespace lowbit
