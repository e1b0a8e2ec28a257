// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Read-only memory mapping of a whole file (zero-copy tensor data, page-cache friendly).

#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace lowbit {

class MappedFile {
public:
    /// Maps `path` read-only. Errors: NotFound, Io (with the OS reason). An empty file maps to an
    /// empty span.
    static Result<std::shared_ptr<const MappedFile>> open(const std::string &path);

    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    const std::byte *data() const { return m_data; }
    std::size_t size() const { return m_size; }
    const std::string &path() const { return m_path; }

    /// Hints the kernel that [offset, offset+length) will be read once, sequentially, and may be
    /// dropped from the page cache afterwards (keeps RSS bounded when scanning huge models).
    void adviseSequential(std::size_t offset, std::size_t length) const;
    void adviseDontNeed(std::size_t offset, std::size_t length) const;

private:
    MappedFile() = default;
    const std::byte *m_data = nullptr;
    std::size_t m_size = 0;
    std::string m_path;
};

/// Reads a whole (small) file into a string. Errors: NotFound, Io; InvalidArgument when it is
/// larger than maxBytes.
Result<std::string> readTextFile(const std::string &path, std::size_t maxBytes = std::size_t(1) << 30);

/// Writes `data` to `path` atomically: a temporary file in the same folder, fsync, rename.
/// On failure the old file (if any) is untouched and no temporary is left behind.
Status writeFileAtomic(const std::string &path, std::span<const std::byte> data);

} // namespace lowbit

namespace lowbit {
/// Asks the kernel to reclaim the pages fully inside [p, p+n) now (MADV_PAGEOUT), so a scan over
/// a huge model keeps its resident set near one tensor. Contents are preserved (file pages are
/// re-read, anonymous pages stay or go to swap), so it is safe on any memory; a no-op on kernels
/// without MADV_PAGEOUT (< 5.4).
void adviseReclaimRange(const void *p, std::size_t n);
} // namespace lowbit
