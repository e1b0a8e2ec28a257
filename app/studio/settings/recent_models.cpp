// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/settings/recent_models.h"

#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"

namespace lowbit::studio {
namespace {
Setting<QStringList> recentSetting() { return {keys::kRecentModels, {}}; }
} // namespace

QStringList recentModels() { return recentSetting().value(); }

void addRecentModel(const QString &path)
{
    QStringList list = recentModels();
    list.removeAll(path);
    list.prepend(path);
    while (list.size() > kMaxRecentModels)
        list.removeLast();
    recentSetting().setValue(list);
}

void removeRecentModel(const QString &path)
{
    QStringList list = recentModels();
    list.removeAll(path);
    recentSetting().setValue(list);
}

void clearRecentModels() { recentSetting().reset(); }

} // namespace lowbit::studio
