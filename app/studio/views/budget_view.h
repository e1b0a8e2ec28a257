// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Bit budget (issue 9 in the studio): measure per-layer sensitivities over a menu of formats off
/// the GUI thread, then drag a bits-per-weight slider and see at once the exact allocation the
/// solver picks — the Pareto frontier of predicted loss vs bpw with the current point, the chosen
/// format of every layer as a chart, and, on request, the measured loss of the allocated model next
/// to the predicted one (additivity check). The same core calls as `lowbit plan` / `quantize --budget`.

#include "core/alloc/budget_plan.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>
#include <stop_token>

class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QSlider;
class QTimer;

namespace lowbit {
class Model;
class Tokenizer;
} // namespace lowbit

namespace lowbit::studio {

class BudgetView : public QWidget {
    Q_OBJECT
public:
    explicit BudgetView(QWidget *parent = nullptr);
    /// Stops running work and waits for it (the workers never touch the widget afterwards).
    ~BudgetView() override;

    /// The model to plan for (clears measured sensitivities).
    void setModel(std::shared_ptr<const lowbit::Model> model);

    /// Measures sensitivities (calibration statistics first) off the GUI thread. menu: formats as
    /// in `lowbit plan --menu`; false when something already runs or the inputs are invalid
    /// (failed() says why).
    bool startMeasure(const QString &calibTextPath, const QString &menu, const QString &method, lowbit::SensitivityMode mode,
                      std::int64_t calibTokens = 4096, std::int64_t evalTokens = 2048);
    /// Quantizes with the current plan and measures its calibration-NLL increase (nll mode).
    bool startCheck();
    void cancel();
    bool isBusy() const;
    /// Blocks (processing events) until the running work ends (tests).
    void waitForIdle();

    /// Uses an already measured table (e.g. from a cache); enables the slider.
    void setSensitivities(lowbit::SensitivityTable table);
    void setBudget(double bpw);
    double budget() const { return m_budget; }
    double minimumBpw() const { return m_minBpw; }
    double maximumBpw() const { return m_maxBpw; }
    const std::optional<lowbit::Plan> &plan() const { return m_plan; }
    std::optional<double> measuredDeltaLoss() const { return m_measured; }

    // What is drawn (tests).
    int frontierPointCount() const;
    int layerBarCount() const;
    QString summaryText() const;
    QSlider *slider() const { return m_slider; }
    QChartView *frontierView() const { return m_frontierView; }
    QChartView *layerView() const { return m_layerView; }

signals:
    void planChanged(double bpw, double predictedLoss);
    void measureFinished();
    void checkFinished(double predicted, double measured);
    void failed(const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Worker;      ///< state shared with the background thread
    struct Calibration; ///< statistics, text and tokenizer kept from the measurement for a check

    void retranslateUi();
    void resolvePlan();
    void redrawFrontier();
    void redrawLayers();
    void setBusy(bool busy, const QString &what);
    void pollWorker();
    void chooseTextFile();

    std::shared_ptr<const lowbit::Model> m_model;
    std::optional<lowbit::SensitivityTable> m_table;
    std::optional<lowbit::Plan> m_plan;
    std::optional<double> m_measured;
    double m_measuredBpw = 0;
    std::shared_ptr<Worker> m_worker;
    std::shared_ptr<Calibration> m_calibration;
    double m_budget = 0, m_minBpw = 0, m_maxBpw = 0;

    QLineEdit *m_textPath = nullptr;
    QPushButton *m_browse = nullptr;
    QLineEdit *m_menu = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_loss = nullptr;
    QPushButton *m_measure = nullptr;
    QPushButton *m_check = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_budgetLabel = nullptr;
    QSlider *m_slider = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_menuLabel = nullptr, *m_methodLabel = nullptr, *m_lossLabel = nullptr, *m_textLabel = nullptr;
    QChart *m_frontier = nullptr;
    QChartView *m_frontierView = nullptr;
    QLineSeries *m_frontierLine = nullptr;
    QScatterSeries *m_current = nullptr;
    QScatterSeries *m_measuredPoint = nullptr;
    QChart *m_layers = nullptr;
    QChartView *m_layerView = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace lowbit::studio
