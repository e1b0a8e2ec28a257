// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/util/chart_export.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QPixmap>
#include <QSvgGenerator>
#include <QWidget>

namespace lowbit::studio {

QString exportWidget(QWidget *widget, const QString &path)
{
    if (!widget)
        return QCoreApplication::translate("ChartExport", "Nothing to export");
    if (QFileInfo(path).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(widget->size());
        svg.setViewBox(QRect(QPoint(), widget->size()));
        svg.setTitle(widget->windowTitle());
        svg.setDescription(QStringLiteral("Lowbit Studio chart"));
        QPainter painter;
        if (!painter.begin(&svg))
            return QCoreApplication::translate("ChartExport", "Cannot write %1").arg(QDir::toNativeSeparators(path));
        widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
        painter.end();
        return QFileInfo(path).size() > 0 ? QString()
                                          : QCoreApplication::translate("ChartExport", "Cannot write %1").arg(QDir::toNativeSeparators(path));
    }
    if (QFileInfo(path).suffix().compare(QLatin1String("pdf"), Qt::CaseInsensitive) == 0) {
        QPdfWriter pdf(path);
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(widget->width(), widget->height()), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter painter;
        if (!painter.begin(&pdf))
            return QCoreApplication::translate("ChartExport", "Cannot write %1").arg(QDir::toNativeSeparators(path));
        const double scale = std::min(static_cast<double>(pdf.width()) / std::max(1, widget->width()),
                                      static_cast<double>(pdf.height()) / std::max(1, widget->height()));
        painter.scale(scale, scale);
        widget->render(&painter, QPoint(), QRegion(), QWidget::DrawChildren);
        painter.end();
        return {};
    }
    const QPixmap pixmap = widget->grab();
    if (pixmap.isNull() || !pixmap.save(path, "PNG"))
        return QCoreApplication::translate("ChartExport", "Cannot write %1").arg(QDir::toNativeSeparators(path));
    return {};
}

QString exportWidgetWithDialog(QWidget *widget, const QString &suggestedName)
{
    const QString path = QFileDialog::getSaveFileName(
        widget, QCoreApplication::translate("ChartExport", "Export Chart"), QDir::home().filePath(suggestedName + QStringLiteral(".png")),
        QCoreApplication::translate("ChartExport", "PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return {};
    const QString error = exportWidget(widget, path);
    if (!error.isEmpty()) {
        QMessageBox::warning(widget, QCoreApplication::translate("ChartExport", "Export Chart"), error);
        return {};
    }
    return path;
}

} // namespace lowbit::studio
