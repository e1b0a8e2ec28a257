// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/settings/setting.h"

namespace lowbit::studio {

QSettings &settingsStore()
{
    static QSettings store;
    return store;
}

} // namespace lowbit::studio
