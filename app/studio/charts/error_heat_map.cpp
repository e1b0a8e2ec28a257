// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/charts/error_heat_map.h"

#include <QLocale>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace lowbit::studio {
namespace {
// A perceptual dark-blue → teal → yellow ramp (viridis key colours).
constexpr std::array<QRgb, 5> kRamp = {0xff440154, 0xff3b528b, 0xff21918c, 0xff5ec962, 0xfffde725};
constexpr int kBarWidth = 14;
} // namespace

ErrorHeatMap::ErrorHeatMap(QWidget *parent) : QWidget(parent)
{
    setMinimumHeight(140);
}

QRgb ErrorHeatMap::colorFor(double t)
{
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * static_cast<double>(kRamp.size() - 1);
    const auto i = std::min<std::size_t>(static_cast<std::size_t>(t), kRamp.size() - 2);
    const double f = t - static_cast<double>(i);
    const QColor a(kRamp[i]), b(kRamp[i + 1]);
    return qRgb(static_cast<int>(a.red() + f * (b.red() - a.red())), static_cast<int>(a.green() + f * (b.green() - a.green())),
                static_cast<int>(a.blue() + f * (b.blue() - a.blue())));
}

void ErrorHeatMap::setData(std::int64_t rows, std::int64_t cols, std::vector<float> values)
{
    m_image = QImage();
    if (rows <= 0 || cols <= 0 || values.size() != static_cast<std::size_t>(rows * cols)) {
        update();
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (const float v : values)
        if (std::isfinite(v) && v > 0) {
            lo = std::min(lo, std::log10(static_cast<double>(v)));
            hi = std::max(hi, std::log10(static_cast<double>(v)));
        }
    if (!(hi >= lo))
        lo = hi = -6;
    if (hi - lo < 1e-3)
        hi = lo + 1e-3;
    m_logMin = lo;
    m_logMax = hi;
    m_image = QImage(static_cast<int>(cols), static_cast<int>(rows), QImage::Format_RGB32);
    for (std::int64_t r = 0; r < rows; ++r) {
        auto *line = reinterpret_cast<QRgb *>(m_image.scanLine(static_cast<int>(r)));
        for (std::int64_t c = 0; c < cols; ++c) {
            const float v = values[static_cast<std::size_t>(r * cols + c)];
            line[c] = !std::isfinite(v) ? qRgb(200, 200, 200)
                      : v <= 0          ? colorFor(0.0)
                                        : colorFor((std::log10(static_cast<double>(v)) - lo) / (hi - lo));
        }
    }
    update();
}

void ErrorHeatMap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    const QFontMetrics fm = fontMetrics();
    if (m_image.isNull()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("No error map: select a tensor and a format"));
        return;
    }
    const QLocale loc;
    const QString top = tr("1e%1").arg(loc.toString(m_logMax, 'f', 1));
    const QString bottom = tr("1e%1").arg(loc.toString(m_logMin, 'f', 1));
    const int labelWidth = std::max(fm.horizontalAdvance(top), fm.horizontalAdvance(bottom)) + 6;
    const int titleHeight = fm.height() + 4;
    const QRect area(4 + fm.height(), titleHeight, width() - kBarWidth - labelWidth - 16 - fm.height(), height() - titleHeight - fm.height() - 6);
    if (area.width() < 10 || area.height() < 10)
        return;
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, 0, width(), titleHeight), Qt::AlignCenter, tr("Relative error per group (log colour scale)"));
    p.drawText(QRect(area.left(), area.bottom() + 2, area.width(), fm.height() + 4), Qt::AlignCenter, tr("groups along the row →"));
    p.save();
    p.translate(fm.height(), area.center().y());
    p.rotate(-90);
    p.drawText(QRect(-area.height() / 2, -fm.height(), area.height(), fm.height()), Qt::AlignCenter, tr("rows ↓"));
    p.restore();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(area, m_image);
    p.drawRect(area.adjusted(0, 0, -1, -1));
    const QRect bar(area.right() + 8, area.top(), kBarWidth, area.height());
    for (int y = 0; y < bar.height(); ++y)
        p.fillRect(QRect(bar.left(), bar.top() + y, bar.width(), 1),
                   QColor(colorFor(1.0 - static_cast<double>(y) / std::max(1, bar.height() - 1))));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    p.drawText(QRect(bar.right() + 4, bar.top(), labelWidth, fm.height()), Qt::AlignLeft, top);
    p.drawText(QRect(bar.right() + 4, bar.bottom() - fm.height(), labelWidth, fm.height()), Qt::AlignLeft, bottom);
}

} // namespace lowbit::studio
