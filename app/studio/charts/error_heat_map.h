// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Per-group relative error of one tensor as an image (rows down, groups across), coloured on a
/// log10 scale with a colour bar. Image-based, so a 4096 × 128-group tensor costs one QImage.

#include <QImage>
#include <QWidget>

#include <cstdint>
#include <vector>

namespace lowbit::studio {

class ErrorHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit ErrorHeatMap(QWidget *parent = nullptr);

    /// rows × cols cells, row-major, each a relative error (NaN: no signal). Empty clears.
    /// `rowsPerCell`/`groupsPerCell` only label the axes.
    void setData(std::int64_t rows, std::int64_t cols, std::vector<float> values);
    void clear() { setData(0, 0, {}); }

    bool isEmpty() const { return m_image.isNull(); }
    QSize imageSize() const { return m_image.size(); }
    /// The log10 range the colours span.
    double logMin() const { return m_logMin; }
    double logMax() const { return m_logMax; }
    /// The colour of a log10 value (the colour bar's map).
    static QRgb colorFor(double t);

protected:
    void paintEvent(QPaintEvent *event) override;
    QSize sizeHint() const override { return {480, 220}; }

private:
    QImage m_image;
    double m_logMin = 0, m_logMax = 0;
};

} // namespace lowbit::studio
