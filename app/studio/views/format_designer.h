// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The format designer dock: family, bits, ExMy split, asymmetric, group size, scale storage,
/// mixture members or a custom LUT become a FormatSpec (specFor); the selected tensor's relative
/// MSE, SQNR and exact bits per weight follow at once (a FormatProbe measures them off the GUI
/// thread, on sample rows for big tensors, and the panel says so). For FP formats a table sets the
/// FP scaling law's prior (a training law, labelled as such) beside the measured error of every
/// ExMy split. Apply buttons ask the main window to plan the format for the selection, a regex of
/// tensor names or every quantizable tensor (one undoable command each).

#include "app/studio/design/format_choice.h"

#include <QFutureWatcher>
#include <QWidget>

#include <optional>
#include <stop_token>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QGroupBox;

namespace lowbit::studio {

class FormatProbe;
struct FormatEvaluation;

class FormatDesigner : public QWidget {
    Q_OBJECT
public:
    explicit FormatDesigner(QWidget *parent = nullptr);
    ~FormatDesigner() override;

    /// The probe whose results the panel shows (not owned). The designer pushes its spec into it.
    void setProbe(FormatProbe *probe);
    /// N of the scaling-law prior (the model's parameter count; 0 hides the prior).
    void setModelParams(double params);

    FormatChoice choice() const { return m_choice; }
    /// Sets every control (no applyRequested); emits specChanged.
    void setChoice(const FormatChoice &choice);
    /// The spec of the controls, nullopt when they do not form a valid format (see specError()).
    const std::optional<lowbit::FormatSpec> &spec() const { return m_spec; }
    QString specError() const { return m_specError; }

    /// The texts on display (tests read them): bits per weight, relative MSE, SQNR, status.
    QString bpwText() const;
    QString mseText() const;
    QString sqnrText() const;
    QString statusText() const;
    QTableWidget *splitTable() const { return m_splitTable; }
    QComboBox *familyCombo() const { return m_family; }
    QComboBox *bitsCombo() const { return m_bits; }
    QComboBox *groupCombo() const { return m_group; }
    QLineEdit *patternEdit() const { return m_pattern; }
    /// True while the split table's measurements run.
    bool isSplitTableBusy() const { return m_splitWatcher != nullptr; }

signals:
    void specChanged(const std::optional<lowbit::FormatSpec> &spec);
    void applyToSelectionRequested();
    void applyToMatchingRequested(const QString &pattern);
    void applyToAllRequested();
    void clearSelectionRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void buildUi();
    void retranslateUi();
    void fillFamilyCombo();
    void syncControls();      ///< controls from m_choice (signals blocked)
    void readControls();      ///< m_choice from the controls, then update()
    void updateSpec();
    void showEvaluation();
    void updateSplitTable();
    void startSplitMeasurements();

    FormatChoice m_choice;
    std::optional<lowbit::FormatSpec> m_spec;
    QString m_specError;
    FormatProbe *m_probe = nullptr;
    double m_modelParams = 0;
    std::vector<double> m_splitMeasured; ///< rel. MSE per split of the table (NaN: not measured)
    QFutureWatcher<std::vector<double>> *m_splitWatcher = nullptr;
    std::stop_source m_splitStop;
    bool m_splitPending = false;

    QGroupBox *m_formatBox = nullptr;
    QGroupBox *m_resultBox = nullptr;
    QGroupBox *m_splitBox = nullptr;
    QGroupBox *m_applyBox = nullptr;
    QLabel *m_familyLabel = nullptr, *m_bitsLabel = nullptr, *m_expLabel = nullptr, *m_groupLabel = nullptr,
           *m_storageLabel = nullptr, *m_membersLabel = nullptr, *m_lutLabel = nullptr;
    QComboBox *m_family = nullptr;
    QComboBox *m_bits = nullptr;
    QSpinBox *m_exponent = nullptr;
    QCheckBox *m_asym = nullptr;
    QComboBox *m_group = nullptr;
    QComboBox *m_storage = nullptr;
    QLineEdit *m_members = nullptr;
    QLineEdit *m_lut = nullptr;
    QLabel *m_formatName = nullptr;
    QLabel *m_bpwCaption = nullptr, *m_mseCaption = nullptr, *m_sqnrCaption = nullptr;
    QLabel *m_bpw = nullptr, *m_mse = nullptr, *m_sqnr = nullptr, *m_status = nullptr;
    QLabel *m_splitNote = nullptr;
    QTableWidget *m_splitTable = nullptr;
    QPushButton *m_applySelection = nullptr, *m_applyMatching = nullptr, *m_applyAll = nullptr, *m_clear = nullptr;
    QLineEdit *m_pattern = nullptr;
};

} // namespace lowbit::studio
