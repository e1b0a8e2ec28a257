// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Helpers shared by the tests: where ../shared is, and skipping (or failing under CI) when a
/// file from it is missing.

#include <QByteArray>
#include <QFileInfo>
#include <QString>
#include <QTest>

#include <string>

namespace lowbit::test {

/// LOWBIT_SHARED_DIR from the environment, else the CMake default baked in at build time.
inline QString sharedDir()
{
    const QByteArray env = qgetenv("LOWBIT_SHARED_DIR");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return QStringLiteral(LOWBIT_SHARED_DIR_DEFAULT);
}

inline std::string sharedPath(const char *relative)
{
    return (sharedDir() + QLatin1Char('/') + QString::fromUtf8(relative)).toStdString();
}

inline bool runningInCi() { return qgetenv("CI") == "true"; }

} // namespace lowbit::test

/// Use at the top of a test that reads ../shared/<relative>: skips with a message on a
/// developer machine without it, fails under CI=true (CI always has shared/).
#define LOWBIT_REQUIRE_SHARED(relative)                                                           \
    do {                                                                                          \
        const QString lowbitSharedFile_ = lowbit::test::sharedDir() + QStringLiteral("/" relative); \
        if (!QFileInfo::exists(lowbitSharedFile_)) {                                              \
            if (lowbit::test::runningInCi())                                                      \
                QFAIL(qPrintable(QStringLiteral("CI=true but shared file is missing: ") + lowbitSharedFile_)); \
            QSKIP(qPrintable(QStringLiteral("shared file not found (set LOWBIT_SHARED_DIR): ") + lowbitSharedFile_)); \
        }                                                                                         \
    } while (0)
