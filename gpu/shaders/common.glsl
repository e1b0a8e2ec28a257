// SPDX-License-Identifier: GPL-3.0-or-later
// Shared definitions for every compute shader.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
