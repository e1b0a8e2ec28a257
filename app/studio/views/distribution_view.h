// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The distribution view: for the selected tensor and the designer's format, the weight
/// histogram with the dequantized histogram and the grid levels (at the median group's scale)
/// overlaid, on a linear or log count axis, and the per-group error heat map. Shows what the
/// FormatProbe measured (sampled rows for big tensors, said in the caption).

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;

namespace lowbit::studio {

class DistributionChart;
class ErrorHeatMap;
class FormatProbe;

class DistributionView : public QWidget {
    Q_OBJECT
public:
    explicit DistributionView(QWidget *parent = nullptr);

    /// The probe to follow (not owned).
    void setProbe(FormatProbe *probe);

    DistributionChart *chart() const { return m_chart; }
    ErrorHeatMap *heatMap() const { return m_heat; }
    QCheckBox *logScaleCheckBox() const { return m_log; }
    QString captionText() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void refresh();
    void retranslateUi();

    FormatProbe *m_probe = nullptr;
    QLabel *m_caption = nullptr;
    QCheckBox *m_log = nullptr;
    QPushButton *m_export = nullptr;
    DistributionChart *m_chart = nullptr;
    ErrorHeatMap *m_heat = nullptr;
};

} // namespace lowbit::studio
