// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/mapped_file.h"

#include "core/util/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lowbit {

namespace {
std::string osError(const std::string &what, const std::string &path)
{
    return path + ": " + what + ": " + std::strerror(errno);
}

struct Fd {
    int fd = -1;
    ~Fd()
    {
        if (fd >= 0)
            ::close(fd);
    }
};
} // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::string &path)
{
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0)
        return makeError(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, osError("cannot open", path));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0)
        return makeError(ErrorCode::Io, osError("cannot stat", path));
    if (!S_ISREG(st.st_mode))
        return makeError(ErrorCode::Io, path + ": not a regular file");
    auto mf = std::shared_ptr<MappedFile>(new MappedFile());
    mf->m_path = path;
    mf->m_size = static_cast<std::size_t>(st.st_size);
    if (mf->m_size > 0) {
        void *p = ::mmap(nullptr, mf->m_size, PROT_READ, MAP_PRIVATE, f.fd, 0);
        if (p == MAP_FAILED)
            return makeError(ErrorCode::Io, osError("cannot map", path));
        mf->m_data = static_cast<const std::byte *>(p);
    }
    return std::shared_ptr<const MappedFile>(std::move(mf));
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<std::byte *>(m_data), m_size);
}

static void advise(const std::byte *base, std::size_t size, std::size_t offset, std::size_t length, int advice)
{
    if (!base || offset >= size)
        return;
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t begin = offset / page * page;
    const std::size_t end = std::min(size, offset + length);
    ::madvise(const_cast<std::byte *>(base) + begin, end - begin, advice);
}

void MappedFile::adviseSequential(std::size_t offset, std::size_t length) const
{
    advise(m_data, m_size, offset, length, MADV_SEQUENTIAL);
}

void MappedFile::adviseDontNeed(std::size_t offset, std::size_t length) const
{
    advise(m_data, m_size, offset, length, MADV_DONTNEED);
}

void adviseReclaimRange(const void *p, std::size_t n)
{
#ifndef MADV_PAGEOUT
    (void)p;
    (void)n;
#else
    const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) / page * page;
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + n) / page * page;
    if (end > begin)
        ::madvise(reinterpret_cast<void *>(begin), end - begin, MADV_PAGEOUT);
#endif
}

Result<std::string> readTextFile(const std::string &path, std::size_t maxBytes)
{
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0)
        return makeError(errno == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, osError("cannot open", path));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode))
        return makeError(ErrorCode::Io, path + ": not a readable regular file");
    if (static_cast<std::size_t>(st.st_size) > maxBytes)
        return makeError(ErrorCode::InvalidArgument, path + ": file is larger than " + std::to_string(maxBytes) + " bytes");
    std::string out(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < out.size()) {
        const ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return makeError(ErrorCode::Io, osError("cannot read", path));
        }
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    return out;
}

Status writeFileAtomic(const std::string &path, std::span<const std::byte> data)
{
    LOWBIT_TRY(AtomicFileWriter w, AtomicFileWriter::create(path));
    LOWBIT_CHECK(w.write(data));
    return w.commit();
}

} // namespace lowbit
