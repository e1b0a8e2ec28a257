// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/studio_resources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initLowbitResources() { Q_INIT_RESOURCE(resources); }

namespace lowbit::studio {

void initStudioResources() { initLowbitResources(); }

} // namespace lowbit::studio
