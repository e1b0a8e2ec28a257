// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The Vulkan devices the studio offers next to the CPU (the run panel, the settings): each
/// device's name and its id as the settings and `--device` spell it ("vulkan:N"). Empty in a
/// build without Vulkan or on a machine without a device.

#include <QList>
#include <QString>

namespace lowbit::studio {

struct VulkanDeviceChoice {
    QString name; ///< "NVIDIA H100 80GB HBM3", "llvmpipe (LLVM 15.0.6, 256 bits)"
    QString id;   ///< "vulkan:N"
};

QList<VulkanDeviceChoice> vulkanDeviceChoices();

} // namespace lowbit::studio
