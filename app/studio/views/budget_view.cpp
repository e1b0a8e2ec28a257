// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/budget_view.h"

#include "core/calib/calibration.h"
#include "core/eval/perplexity.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/methods/quantize_model.h"
#include "core/model/model.h"
#include "core/util/mapped_file.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

namespace lowbit::studio {

namespace {
constexpr int kSliderSteps = 1000;
} // namespace

/// What the measurement keeps for a later check: the statistics, the text and its tokenizer.
struct BudgetView::Calibration {
    lowbit::CalibrationStats stats;
    std::string text;
    std::unique_ptr<lowbit::Tokenizer> tokenizer;
};

struct BudgetView::Worker {
    std::stop_source stop;
    std::atomic<long long> done{0}, total{0};
    std::atomic<bool> finished{false};
    std::mutex mu;
    QString stage;                                  // guarded by mu
    // results (read after `finished`)
    std::optional<lowbit::SensitivityTable> table;
    std::shared_ptr<Calibration> calibration;
    std::optional<double> measured;
    double predicted = 0;
    double checkedBpw = 0;
    QString error;
    bool cancelled = false;
    std::jthread thread;

    void setStage(const QString &s)
    {
        std::lock_guard lock(mu);
        stage = s;
    }
};

BudgetView::BudgetView(QWidget *parent) : QWidget(parent)
{
    m_textLabel = new QLabel(this);
    m_textPath = new QLineEdit(this);
    m_browse = new QPushButton(this);
    m_menuLabel = new QLabel(this);
    m_menu = new QLineEdit(QStringLiteral("int3,int4,fp4-asym,bitmod-fp3,nf4-asym"), this);
    m_methodLabel = new QLabel(this);
    m_method = new QComboBox(this);
    for (const char *m : {"rtn", "clip", "gptq"})
        m_method->addItem(QString::fromLatin1(m));
    m_lossLabel = new QLabel(this);
    m_loss = new QComboBox(this);
    for (const char *m : {"nll", "kl", "proxy"})
        m_loss->addItem(QString::fromLatin1(m));
    m_measure = new QPushButton(this);
    m_check = new QPushButton(this);
    m_cancel = new QPushButton(this);
    m_progress = new QProgressBar(this);
    m_budgetLabel = new QLabel(this);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, kSliderSteps);
    m_slider->setEnabled(false);
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_frontier = new QChart;
    m_frontierLine = new QLineSeries;
    m_current = new QScatterSeries;
    m_current->setMarkerSize(12);
    m_measuredPoint = new QScatterSeries;
    m_measuredPoint->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
    m_measuredPoint->setMarkerSize(11);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_frontierLine), static_cast<QAbstractSeries *>(m_current),
                               static_cast<QAbstractSeries *>(m_measuredPoint)})
        m_frontier->addSeries(s);
    m_frontier->createDefaultAxes();
    m_frontierView = new QChartView(m_frontier, this);
    m_frontierView->setRenderHint(QPainter::Antialiasing);
    m_frontierView->setMinimumHeight(220);
    m_layers = new QChart;
    m_layers->legend()->setVisible(false);
    m_layerView = new QChartView(m_layers, this);
    m_layerView->setMinimumHeight(220);

    auto *form = new QFormLayout;
    auto *textRow = new QHBoxLayout;
    textRow->addWidget(m_textPath, 1);
    textRow->addWidget(m_browse);
    form->addRow(m_textLabel, textRow);
    form->addRow(m_menuLabel, m_menu);
    auto *opts = new QHBoxLayout;
    opts->addWidget(m_method);
    opts->addWidget(m_lossLabel);
    opts->addWidget(m_loss);
    opts->addStretch(1);
    form->addRow(m_methodLabel, opts);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_measure);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_cancel);
    auto *budgetRow = new QHBoxLayout;
    budgetRow->addWidget(m_budgetLabel);
    budgetRow->addWidget(m_slider, 1);
    budgetRow->addWidget(m_check);
    auto *charts = new QHBoxLayout;
    charts->addWidget(m_frontierView, 1);
    charts->addWidget(m_layerView, 2);
    auto *root = new QVBoxLayout(this);
    root->addLayout(form);
    root->addLayout(buttons);
    root->addLayout(budgetRow);
    root->addWidget(m_summary);
    root->addLayout(charts, 1);

    m_poll = new QTimer(this);
    m_poll->setInterval(50);
    connect(m_poll, &QTimer::timeout, this, &BudgetView::pollWorker);
    connect(m_browse, &QPushButton::clicked, this, &BudgetView::chooseTextFile);
    connect(m_measure, &QPushButton::clicked, this, [this] {
        const auto mode = lowbit::parseSensitivityMode(m_loss->currentText().toStdString());
        startMeasure(m_textPath->text(), m_menu->text(), m_method->currentText(), mode ? *mode : lowbit::SensitivityMode::Nll);
    });
    connect(m_check, &QPushButton::clicked, this, [this] { startCheck(); });
    connect(m_cancel, &QPushButton::clicked, this, &BudgetView::cancel);
    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        m_budget = m_minBpw + (m_maxBpw - m_minBpw) * v / kSliderSteps;
        resolvePlan();
    });
    setBusy(false, {});
    retranslateUi();
}

BudgetView::~BudgetView()
{
    if (m_worker) {
        m_worker->stop.request_stop();
        m_worker->thread = {}; // joins
    }
}

void BudgetView::retranslateUi()
{
    m_textLabel->setText(tr("Calibration text"));
    m_textPath->setPlaceholderText(tr("a text file: documents separated by <|endoftext|>"));
    m_browse->setText(tr("Browse…"));
    m_menuLabel->setText(tr("Format menu"));
    m_methodLabel->setText(tr("Method"));
    m_lossLabel->setText(tr("Loss"));
    m_measure->setText(tr("Measure sensitivities"));
    m_check->setText(tr("Quantize and measure"));
    m_cancel->setText(tr("Cancel"));
    m_frontier->setTitle(tr("Predicted loss increase vs bits per weight (exact optimum per budget)"));
    m_frontierLine->setName(tr("frontier"));
    m_current->setName(tr("this budget"));
    m_measuredPoint->setName(tr("measured"));
    m_layers->setTitle(tr("Bits per weight chosen for each layer"));
    m_budgetLabel->setText(m_table ? tr("Budget %1 bpw").arg(m_budget, 0, 'f', 3) : tr("Budget"));
    if (!m_table)
        m_summary->setText(tr("Measure the sensitivities of the open model to a menu of formats; then drag the budget."));
    else
        resolvePlan();
}

void BudgetView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void BudgetView::chooseTextFile()
{
    const QString f = QFileDialog::getOpenFileName(this, tr("Calibration text"), {}, tr("Text files (*.txt *.raw);;All files (*)"));
    if (!f.isEmpty())
        m_textPath->setText(f);
}

void BudgetView::setModel(std::shared_ptr<const lowbit::Model> model)
{
    cancel();
    waitForIdle();
    m_model = std::move(model);
    m_table.reset();
    m_plan.reset();
    m_measured.reset();
    m_slider->setEnabled(false);
    redrawFrontier();
    redrawLayers();
    setBusy(false, {});
    retranslateUi();
}

bool BudgetView::isBusy() const { return m_worker != nullptr; }

void BudgetView::setBusy(bool busy, const QString &what)
{
    m_measure->setEnabled(!busy && m_model);
    m_check->setEnabled(!busy && m_plan && m_calibration != nullptr);
    m_cancel->setEnabled(busy);
    m_progress->setVisible(busy);
    m_progress->setFormat(what + QStringLiteral(" %p%"));
}

bool BudgetView::startMeasure(const QString &calibTextPath, const QString &menu, const QString &method, lowbit::SensitivityMode mode,
                              std::int64_t calibTokens, std::int64_t evalTokens)
{
    if (m_worker || !m_model)
        return false;
    const std::vector<std::int64_t> groups{32};
    const std::vector<std::string> methods{method.toStdString()};
    auto options = lowbit::buildMenu(menu.toStdString(), groups, lowbit::ScaleStorage::F16, methods);
    if (!options) {
        emit failed(QString::fromStdString(options.error().message()));
        return false;
    }
    auto text = lowbit::readTextFile(calibTextPath.toStdString());
    if (!text) {
        emit failed(QString::fromStdString(text.error().message()));
        return false;
    }
    m_textPath->setText(calibTextPath);
    m_menu->setText(menu);
    m_worker = std::make_shared<Worker>();
    std::shared_ptr<Worker> w = m_worker;
    std::shared_ptr<const lowbit::Model> model = m_model;
    lowbit::SensitivityOptions so;
    so.mode = mode;
    so.evalTokens = evalTokens;
    w->thread = std::jthread([w, model, menuOptions = std::move(*options), so, calibTokens, body = std::move(*text)]() mutable {
        auto calib = std::make_shared<Calibration>();
        calib->text = std::move(body);
        auto tok = lowbit::loadTokenizer(model->path(), model->config().vocabSize);
        if (!tok) {
            w->error = QString::fromStdString(tok.error().message());
            w->finished = true;
            return;
        }
        calib->tokenizer = std::move(*tok);
        w->setStage(QCoreApplication::translate("lowbit::studio::BudgetView", "Calibrating"));
        auto engine = lowbit::CpuModel::load(*model);
        if (!engine) {
            w->error = QString::fromStdString(engine.error().message());
            w->finished = true;
            return;
        }
        lowbit::CalibrationOptions co;
        co.maxTokens = calibTokens;
        auto stats = lowbit::calibrate(**engine, *calib->tokenizer, calib->text, co, {}, w->stop.get_token());
        if (!stats) {
            w->cancelled = stats.error().code == lowbit::ErrorCode::Cancelled;
            w->error = QString::fromStdString(stats.error().message());
            w->finished = true;
            return;
        }
        calib->stats = std::move(*stats);
        w->setStage(QCoreApplication::translate("lowbit::studio::BudgetView", "Measuring"));
        auto table = lowbit::measureSensitivities(
            *model, calib->stats, *calib->tokenizer, calib->text, menuOptions, so,
            [w](std::int64_t d, std::int64_t t, const std::string &) {
                w->done = d;
                w->total = t;
            },
            w->stop.get_token());
        if (!table) {
            w->cancelled = table.error().code == lowbit::ErrorCode::Cancelled;
            w->error = QString::fromStdString(table.error().message());
        } else {
            w->table = std::move(*table);
            w->calibration = std::move(calib);
        }
        w->finished = true;
    });
    setBusy(true, tr("Calibrating"));
    m_poll->start();
    return true;
}

bool BudgetView::startCheck()
{
    if (m_worker || !m_model || !m_plan || !m_calibration)
        return false;
    m_worker = std::make_shared<Worker>();
    std::shared_ptr<Worker> w = m_worker;
    w->thread = std::jthread([w, model = m_model, plan = *m_plan, calib = m_calibration, method = m_method->currentText().toStdString()] {
        lowbit::QuantizeConfig config;
        config.method = method;
        config.skipPattern = ".*"; // only the plan's tensors
        if (auto st = lowbit::applyPlan(plan, config); !st) {
            w->error = QString::fromStdString(st.error().message());
            w->finished = true;
            return;
        }
        w->setStage(QCoreApplication::translate("lowbit::studio::BudgetView", "Quantizing"));
        auto q = lowbit::quantizeModel(
            *model, &calib->stats, config,
            [w](std::int64_t d, std::int64_t t, const std::string &, double) {
                w->done = d;
                w->total = t * 2;
            },
            w->stop.get_token());
        if (!q) {
            w->cancelled = q.error().code == lowbit::ErrorCode::Cancelled;
            w->error = QString::fromStdString(q.error().message());
            w->finished = true;
            return;
        }
        w->setStage(QCoreApplication::translate("lowbit::studio::BudgetView", "Evaluating"));
        auto text = lowbit::measurementText(*calib->tokenizer, calib->text, static_cast<std::int64_t>(plan.evalTokens),
                                            model->config().maxPositions);
        auto a = lowbit::CpuModel::load(*model);
        auto b = lowbit::CpuModel::load(q->first);
        if (!text || !a || !b) {
            w->error = QString::fromStdString((!text ? text.error() : !a ? a.error() : b.error()).message());
            w->finished = true;
            return;
        }
        lowbit::EvalOptions eo;
        auto ra = lowbit::evaluatePerplexity(**a, *calib->tokenizer, text->first, eo, {}, w->stop.get_token());
        auto rb = lowbit::evaluatePerplexity(**b, *calib->tokenizer, text->first, eo, {}, w->stop.get_token());
        if (!ra || !rb) {
            w->cancelled = (!ra ? ra.error() : rb.error()).code == lowbit::ErrorCode::Cancelled;
            w->error = QString::fromStdString((!ra ? ra.error() : rb.error()).message());
        } else {
            w->measured = rb->meanNll - ra->meanNll;
            w->predicted = plan.predictedLoss();
            w->checkedBpw = plan.bpw();
        }
        w->finished = true;
    });
    setBusy(true, tr("Quantizing"));
    m_poll->start();
    return true;
}

void BudgetView::cancel()
{
    if (m_worker)
        m_worker->stop.request_stop();
}

void BudgetView::waitForIdle()
{
    while (m_worker) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (m_worker && m_worker->finished)
            pollWorker();
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void BudgetView::pollWorker()
{
    if (!m_worker)
        return;
    Worker &w = *m_worker;
    {
        std::lock_guard lock(w.mu);
        const long long total = w.total.load();
        m_progress->setRange(0, total > 0 ? static_cast<int>(std::min<long long>(total, 1 << 30)) : 0);
        if (total > 0)
            m_progress->setValue(static_cast<int>(std::min<long long>(w.done.load(), 1 << 30)));
        m_progress->setFormat(w.stage + QStringLiteral(" %p%"));
    }
    if (!w.finished)
        return;
    m_poll->stop();
    std::shared_ptr<Worker> done = std::move(m_worker);
    done->thread = {};
    const bool wasCheck = !done->table && !done->calibration;
    if (!done->error.isEmpty()) {
        setBusy(false, {});
        if (!done->cancelled)
            emit failed(done->error);
        m_summary->setText(done->cancelled ? tr("Cancelled.") : done->error);
        return;
    }
    if (done->table) {
        m_calibration = std::move(done->calibration);
        setSensitivities(std::move(*done->table));
        setBusy(false, {});
        emit measureFinished();
        return;
    }
    if (wasCheck && done->measured) {
        m_measured = done->measured;
        m_measuredBpw = done->checkedBpw;
        redrawFrontier();
        resolvePlan();
        setBusy(false, {});
        emit checkFinished(done->predicted, *done->measured);
    }
}

void BudgetView::setSensitivities(lowbit::SensitivityTable table)
{
    double minBits = 0, maxBits = 0, weights = 0;
    for (const lowbit::LayerSensitivity &l : table.layers) {
        if (l.options.empty())
            continue;
        const auto [lo, hi] = std::minmax_element(l.options.begin(), l.options.end(),
                                                  [](const auto &a, const auto &b) { return a.bits < b.bits; });
        minBits += static_cast<double>(lo->bits);
        maxBits += static_cast<double>(hi->bits);
        weights += static_cast<double>(l.rows) * static_cast<double>(l.cols);
    }
    m_table = std::move(table);
    m_measured.reset();
    m_minBpw = weights > 0 ? minBits / weights : 0;
    m_maxBpw = weights > 0 ? maxBits / weights : 0;
    m_slider->setEnabled(weights > 0);
    // Start in the middle of the range, then draw the frontier from that solve.
    const QSignalBlocker block(m_slider);
    m_slider->setValue(kSliderSteps / 2);
    m_budget = m_minBpw + (m_maxBpw - m_minBpw) * 0.5;
    resolvePlan();
    redrawFrontier();
}

void BudgetView::setBudget(double bpw)
{
    if (!m_table || m_maxBpw <= m_minBpw)
        return;
    const double f = std::clamp((bpw - m_minBpw) / (m_maxBpw - m_minBpw), 0.0, 1.0);
    const int v = static_cast<int>(std::lround(f * kSliderSteps));
    const QSignalBlocker block(m_slider);
    m_slider->setValue(v);
    m_budget = std::clamp(bpw, m_minBpw, m_maxBpw);
    resolvePlan();
}

void BudgetView::resolvePlan()
{
    if (!m_table)
        return;
    m_budgetLabel->setText(tr("Budget %1 bpw").arg(m_budget, 0, 'f', 3));
    lowbit::BudgetRequest req;
    req.budgetBpw = m_budget + 1e-12; // the slider's end points are exactly feasible
    req.menu = m_table->menu;
    req.frontierPoints = 24;
    auto plan = lowbit::planFromSensitivities(*m_table, req, m_model ? m_model->path() : std::string());
    if (!plan) {
        m_plan.reset();
        m_summary->setText(QString::fromStdString(plan.error().detail));
        redrawLayers();
        setBusy(m_worker != nullptr, {});
        return;
    }
    const bool hadFrontier = m_plan && !m_plan->frontier.empty();
    m_plan = std::move(*plan);
    const QString unit = QString::fromStdString(m_plan->lossMode);
    QString text = tr("%1 tensors at %2 bpw (budget %3): predicted %4 increase %5")
                       .arg(m_plan->tensors.size())
                       .arg(m_plan->bpw(), 0, 'f', 4)
                       .arg(m_budget, 0, 'f', 3)
                       .arg(unit)
                       .arg(m_plan->predictedLoss(), 0, 'g', 4);
    if (m_table->mode == lowbit::SensitivityMode::Nll)
        text += tr(" (perplexity %1 → %2 predicted)")
                    .arg(std::exp(m_table->baseLoss), 0, 'f', 3)
                    .arg(std::exp(m_table->baseLoss + m_plan->predictedLoss()), 0, 'f', 3);
    if (m_measured)
        text += tr("; measured at the last check: %1 (perplexity %2)")
                    .arg(*m_measured, 0, 'g', 4)
                    .arg(std::exp(m_table->baseLoss + *m_measured), 0, 'f', 3);
    m_summary->setText(text);
    m_current->clear();
    m_current->append(m_plan->bpw(), m_plan->predictedLoss());
    if (!hadFrontier)
        redrawFrontier();
    redrawLayers();
    setBusy(m_worker != nullptr, {});
    emit planChanged(m_plan->bpw(), m_plan->predictedLoss());
}

void BudgetView::redrawFrontier()
{
    m_frontierLine->clear();
    m_measuredPoint->clear();
    double lo = 0, hi = 1, ymax = 1e-6;
    if (m_plan) {
        for (const lowbit::PlanFrontierPoint &p : m_plan->frontier) {
            m_frontierLine->append(p.bpw, p.predictedLoss);
            ymax = std::max(ymax, p.predictedLoss);
        }
        lo = m_minBpw;
        hi = std::max(m_maxBpw, m_minBpw + 1e-3);
        if (m_measured) {
            m_measuredPoint->append(m_measuredBpw, *m_measured);
            ymax = std::max(ymax, *m_measured);
        }
        ymax = std::max(ymax, m_plan->predictedLoss());
    }
    const auto axes = m_frontier->axes();
    for (QAbstractAxis *a : axes) {
        auto *v = qobject_cast<QValueAxis *>(a);
        if (!v)
            continue;
        if (a->orientation() == Qt::Horizontal) {
            v->setRange(lo, hi);
            v->setTitleText(tr("bits per weight"));
        } else {
            v->setRange(0, ymax * 1.05);
            v->setTitleText(tr("predicted increase"));
        }
    }
}

void BudgetView::redrawLayers()
{
    m_layers->removeAllSeries();
    for (QAbstractAxis *a : m_layers->axes())
        m_layers->removeAxis(a);
    if (!m_plan)
        return;
    auto *set = new QBarSet(tr("bpw"));
    QStringList names;
    double ymax = 1;
    for (const lowbit::PlanEntry &e : m_plan->tensors) {
        const double n = static_cast<double>(e.rows) * static_cast<double>(e.cols);
        const double bpw = n > 0 ? static_cast<double>(e.bits) / n : 0;
        set->append(bpw);
        ymax = std::max(ymax, bpw);
        names << QStringLiteral("%1.%2").arg(e.layer).arg(QString::fromStdString(std::string(lowbit::tensorRoleName(e.role))));
    }
    auto *series = new QBarSeries;
    series->append(set);
    m_layers->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(names);
    x->setLabelsAngle(-90);
    auto *y = new QValueAxis;
    y->setRange(0, std::ceil(ymax + 0.5));
    y->setTitleText(tr("bits per weight"));
    m_layers->addAxis(x, Qt::AlignBottom);
    m_layers->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
}

int BudgetView::frontierPointCount() const { return static_cast<int>(m_frontierLine->count()); }

int BudgetView::layerBarCount() const
{
    const auto series = m_layers->series();
    if (series.isEmpty())
        return 0;
    auto *bars = qobject_cast<QBarSeries *>(series.first());
    return bars && !bars->barSets().isEmpty() ? static_cast<int>(bars->barSets().first()->count()) : 0;
}

QString BudgetView::summaryText() const { return m_summary->text(); }

} // namespace lowbit::studio
