// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lowbit {

Result<AtomicFileWriter> AtomicFileWriter::create(const std::string &targetPath, bool overwrite)
{
    if (!overwrite && ::access(targetPath.c_str(), F_OK) == 0)
        return makeError(ErrorCode::InvalidArgument, targetPath + ": already exists (use --force to overwrite)");
    AtomicFileWriter w;
    w.m_target = targetPath;
    w.m_temp = targetPath + ".tmp-XXXXXX";
    w.m_fd = ::mkstemp(w.m_temp.data());
    if (w.m_fd < 0)
        return makeError(ErrorCode::Io, targetPath + ": cannot create a temporary file: " + std::strerror(errno));
    return w;
}

AtomicFileWriter::AtomicFileWriter(AtomicFileWriter &&o) noexcept
    : m_target(std::move(o.m_target)), m_temp(std::move(o.m_temp)), m_fd(o.m_fd), m_written(o.m_written)
{
    o.m_fd = -1;
    o.m_temp.clear();
}

AtomicFileWriter &AtomicFileWriter::operator=(AtomicFileWriter &&o) noexcept
{
    if (this != &o) {
        discard();
        m_target = std::move(o.m_target);
        m_temp = std::move(o.m_temp);
        m_fd = o.m_fd;
        m_written = o.m_written;
        o.m_fd = -1;
        o.m_temp.clear();
    }
    return *this;
}

AtomicFileWriter::~AtomicFileWriter() { discard(); }

void AtomicFileWriter::discard()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    if (!m_temp.empty()) {
        ::unlink(m_temp.c_str());
        m_temp.clear();
    }
}

Status AtomicFileWriter::write(const void *data, std::size_t size)
{
    if (m_fd < 0)
        return makeError(ErrorCode::Internal, m_target + ": write after commit or discard");
    const auto *p = static_cast<const char *>(data);
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(m_fd, p + done, size - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const std::string reason = std::strerror(errno);
            discard();
            return makeError(ErrorCode::Io, m_target + ": cannot write: " + reason);
        }
        done += static_cast<std::size_t>(n);
    }
    m_written += size;
    return {};
}

Status AtomicFileWriter::write(std::span<const std::byte> data) { return write(data.data(), data.size()); }

Status AtomicFileWriter::commit()
{
    if (m_fd < 0)
        return makeError(ErrorCode::Internal, m_target + ": commit after discard");
    if (::fchmod(m_fd, 0644) != 0 || ::fsync(m_fd) != 0) {
        const std::string reason = std::strerror(errno);
        discard();
        return makeError(ErrorCode::Io, m_target + ": cannot flush: " + reason);
    }
    ::close(m_fd);
    m_fd = -1;
    if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        discard();
        return makeError(ErrorCode::Io, m_target + ": cannot move the temporary file into place: " + reason);
    }
    m_temp.clear();
    return {};
}

} // namespace lowbit
