// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// AtomicFileWriter: streams a file into a temporary beside the target and renames it into
/// place on commit(). If commit() is never reached (error, cancel, exception) the temporary is
/// removed and the old target, if any, is untouched.

#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lowbit {

class AtomicFileWriter {
public:
    /// Creates the temporary. Errors: Io. With overwrite == false, an existing target is an
    /// InvalidArgument error ("exists; use --force").
    static Result<AtomicFileWriter> create(const std::string &targetPath, bool overwrite = true);

    AtomicFileWriter(AtomicFileWriter &&other) noexcept;
    AtomicFileWriter &operator=(AtomicFileWriter &&other) noexcept;
    AtomicFileWriter(const AtomicFileWriter &) = delete;
    AtomicFileWriter &operator=(const AtomicFileWriter &) = delete;
    ~AtomicFileWriter();

    Status write(std::span<const std::byte> data);
    Status write(const void *data, std::size_t size);
    std::uint64_t bytesWritten() const { return m_written; }
    /// fsync + rename onto the target. Errors: Io (and the temporary is removed).
    Status commit();
    /// Removes the temporary (also done by the destructor when not committed).
    void discard();

    const std::string &targetPath() const { return m_target; }

private:
    AtomicFileWriter() = default;
    std::string m_target;
    std::string m_temp;
    int m_fd = -1;
    std::uint64_t m_written = 0;
};

} // namespace lowbit
