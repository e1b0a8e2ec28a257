// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/util/app_icon.h"

namespace lowbit::studio {

QIcon appIcon()
{
    QIcon icon;
    icon.addFile(QStringLiteral(":/icons/lowbit_32.png"), QSize(32, 32));
    icon.addFile(QStringLiteral(":/icons/lowbit_128.png"), QSize(128, 128));
    return icon;
}

} // namespace lowbit::studio
