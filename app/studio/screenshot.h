// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// `lowbit-studio --screenshot FILE [MODEL] [--view NAME]`: opens the model, selects a tensor,
/// sets up what the view shows (an FP4 format in the designer; for "errors" a plan on every
/// linear tensor; for "compare" a few RTN runs quantized in-process), waits for the background
/// work and writes the window as a PNG. Used for the README's pictures.

#include <QSize>
#include <QString>

namespace lowbit::studio {

class MainWindow;

struct ScreenshotOptions {
    QString file;            ///< the PNG to write
    QString model;           ///< model path (required)
    QString view = QStringLiteral("tensor"); ///< MainWindow::viewName
    QString tensor;          ///< empty: the first layer's largest linear tensor
    QSize size{1600, 1000};
};

/// Runs the whole sequence on `window` (already constructed) and returns the process exit code;
/// messages go to stderr.
int takeScreenshot(MainWindow &window, const ScreenshotOptions &options);

} // namespace lowbit::studio
