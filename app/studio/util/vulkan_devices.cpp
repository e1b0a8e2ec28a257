// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/util/vulkan_devices.h"

#ifdef LOWBIT_HAVE_VULKAN
#include "gpu/device/context.h"
#endif

namespace lowbit::studio {

QList<VulkanDeviceChoice> vulkanDeviceChoices()
{
    QList<VulkanDeviceChoice> out;
#ifdef LOWBIT_HAVE_VULKAN
    if (auto devices = gpu::listDevices(); devices)
        for (const gpu::DeviceInfo &d : *devices)
            out.push_back({QString::fromStdString(d.name), QStringLiteral("vulkan:%1").arg(d.index)});
#endif
    return out;
}

} // namespace lowbit::studio
