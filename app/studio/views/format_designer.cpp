// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/format_designer.h"

#include "app/studio/design/fp_scaling_law.h"
#include "app/studio/jobs/format_probe.h"
#include "app/studio/util/display_format.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>
#include <limits>

namespace lowbit::studio {
namespace {

constexpr std::int64_t kSplitSampleElements = std::int64_t{1} << 18;
constexpr std::int64_t kGroupSizes[] = {16, 32, 64, 128, 256, kPerChannel, kPerTensor};
constexpr ScaleStorage kStorages[] = {ScaleStorage::F32, ScaleStorage::F16, ScaleStorage::BF16, ScaleStorage::E8M0,
                                      ScaleStorage::E4M3};

QString familyTitle(DesignerFamily f)
{
    switch (f) {
    case DesignerFamily::Int: return FormatDesigner::tr("Integer (INT)");
    case DesignerFamily::Fp: return FormatDesigner::tr("Minifloat (FP ExMy)");
    case DesignerFamily::Nf: return FormatDesigner::tr("NormalFloat (NF)");
    case DesignerFamily::Bitmod: return FormatDesigner::tr("BitMoD mixture");
    case DesignerFamily::Mx: return FormatDesigner::tr("Microscaling (MX)");
    case DesignerFamily::Nvfp4: return FormatDesigner::tr("NVFP4");
    case DesignerFamily::Iq4nl: return FormatDesigner::tr("IQ4_NL lookup table");
    case DesignerFamily::Q4_0: return FormatDesigner::tr("ggml q4_0");
    case DesignerFamily::Mixture: return FormatDesigner::tr("Mixture of grids");
    case DesignerFamily::Lut: return FormatDesigner::tr("Custom lookup table");
    }
    return {};
}

QString groupTitle(std::int64_t g)
{
    if (g == kPerChannel)
        return FormatDesigner::tr("per channel");
    if (g == kPerTensor)
        return FormatDesigner::tr("per tensor");
    return QString::number(g);
}

/// Relative MSE of every ExMy split of `bits` (same group, storage, asymmetry) on sample rows.
std::vector<double> measureSplits(const TensorView &view, FormatChoice choice, std::stop_token stop)
{
    std::vector<double> out;
    EvaluationOptions o;
    o.maxElements = kSplitSampleElements;
    for (int e = 1; e <= choice.bits - 1; ++e) {
        if (stop.stop_requested())
            break;
        choice.exponentBits = e;
        auto spec = specFor(choice);
        double v = std::numeric_limits<double>::quiet_NaN();
        if (spec) {
            const FormatEvaluation r = evaluateFormat(view, *spec, o, stop);
            if (r.ok())
                v = r.relativeMse();
        }
        out.push_back(v);
    }
    return out;
}

} // namespace

FormatDesigner::FormatDesigner(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("formatDesigner"));
    buildUi();
    retranslateUi();
    syncControls();
    updateSpec();
}

FormatDesigner::~FormatDesigner()
{
    m_splitStop.request_stop();
    if (m_splitWatcher)
        m_splitWatcher->waitForFinished();
}

void FormatDesigner::buildUi()
{
    m_family = new QComboBox(this);
    m_family->setObjectName(QStringLiteral("familyCombo"));
    m_bits = new QComboBox(this);
    m_bits->setObjectName(QStringLiteral("bitsCombo"));
    m_exponent = new QSpinBox(this);
    m_exponent->setObjectName(QStringLiteral("exponentSpin"));
    m_exponent->setRange(1, 7);
    m_asym = new QCheckBox(this);
    m_asym->setObjectName(QStringLiteral("asymCheck"));
    m_group = new QComboBox(this);
    m_group->setObjectName(QStringLiteral("groupCombo"));
    for (const std::int64_t g : kGroupSizes)
        m_group->addItem(QString(), QVariant::fromValue(static_cast<qlonglong>(g)));
    m_storage = new QComboBox(this);
    m_storage->setObjectName(QStringLiteral("storageCombo"));
    for (const ScaleStorage s : kStorages)
        m_storage->addItem(QString::fromUtf8(scaleStorageName(s).data(), static_cast<qsizetype>(scaleStorageName(s).size())),
                           static_cast<int>(s));
    m_members = new QLineEdit(QStringLiteral("int3|fp3|nf3"), this);
    m_members->setObjectName(QStringLiteral("membersEdit"));
    m_lut = new QLineEdit(QStringLiteral("-1, -0.6, -0.3, 0, 0.3, 0.6, 1"), this);
    m_lut->setObjectName(QStringLiteral("lutEdit"));
    m_choice.members = m_members->text();
    m_choice.lut = m_lut->text();

    m_familyLabel = new QLabel(this);
    m_bitsLabel = new QLabel(this);
    m_expLabel = new QLabel(this);
    m_groupLabel = new QLabel(this);
    m_storageLabel = new QLabel(this);
    m_membersLabel = new QLabel(this);
    m_lutLabel = new QLabel(this);
    m_formatBox = new QGroupBox(this);
    auto *form = new QFormLayout(m_formatBox);
    form->addRow(m_familyLabel, m_family);
    form->addRow(m_bitsLabel, m_bits);
    form->addRow(m_expLabel, m_exponent);
    form->addRow(QString(), m_asym);
    form->addRow(m_groupLabel, m_group);
    form->addRow(m_storageLabel, m_storage);
    form->addRow(m_membersLabel, m_members);
    form->addRow(m_lutLabel, m_lut);

    m_formatName = new QLabel(this);
    m_formatName->setObjectName(QStringLiteral("formatName"));
    m_formatName->setWordWrap(true);
    m_formatName->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_formatName->font();
    bold.setBold(true);
    m_formatName->setFont(bold);
    m_bpwCaption = new QLabel(this);
    m_mseCaption = new QLabel(this);
    m_sqnrCaption = new QLabel(this);
    m_bpw = new QLabel(this);
    m_bpw->setObjectName(QStringLiteral("bpwValue"));
    m_mse = new QLabel(this);
    m_mse->setObjectName(QStringLiteral("mseValue"));
    m_sqnr = new QLabel(this);
    m_sqnr->setObjectName(QStringLiteral("sqnrValue"));
    for (QLabel *l : {m_bpw, m_mse, m_sqnr}) {
        l->setFont(bold);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("probeStatus"));
    m_status->setWordWrap(true);
    m_status->setStyleSheet(QStringLiteral("color: #5a5a5a;"));
    m_resultBox = new QGroupBox(this);
    auto *results = new QFormLayout(m_resultBox);
    results->addRow(m_formatName);
    results->addRow(m_bpwCaption, m_bpw);
    results->addRow(m_mseCaption, m_mse);
    results->addRow(m_sqnrCaption, m_sqnr);
    results->addRow(m_status);

    m_splitBox = new QGroupBox(this);
    m_splitNote = new QLabel(this);
    m_splitNote->setWordWrap(true);
    m_splitNote->setStyleSheet(QStringLiteral("color: #5a5a5a;"));
    m_splitTable = new QTableWidget(0, 3, this);
    m_splitTable->setObjectName(QStringLiteral("splitTable"));
    m_splitTable->verticalHeader()->hide();
    m_splitTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_splitTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_splitTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_splitTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_splitTable->setMinimumHeight(120);
    auto *splitLayout = new QVBoxLayout(m_splitBox);
    splitLayout->addWidget(m_splitTable);
    splitLayout->addWidget(m_splitNote);
    connect(m_splitTable, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        FormatChoice c = m_choice;
        c.exponentBits = row + 1;
        setChoice(c);
    });

    m_applySelection = new QPushButton(this);
    m_applySelection->setObjectName(QStringLiteral("applySelection"));
    m_applyAll = new QPushButton(this);
    m_applyAll->setObjectName(QStringLiteral("applyAll"));
    m_clear = new QPushButton(this);
    m_clear->setObjectName(QStringLiteral("clearFormat"));
    m_pattern = new QLineEdit(this);
    m_pattern->setObjectName(QStringLiteral("patternEdit"));
    m_pattern->setClearButtonEnabled(true);
    m_applyMatching = new QPushButton(this);
    m_applyMatching->setObjectName(QStringLiteral("applyMatching"));
    m_applyBox = new QGroupBox(this);
    auto *apply = new QVBoxLayout(m_applyBox);
    auto *row1 = new QHBoxLayout;
    row1->addWidget(m_applySelection);
    row1->addWidget(m_applyAll);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(m_pattern, 1);
    row2->addWidget(m_applyMatching);
    apply->addLayout(row1);
    apply->addLayout(row2);
    apply->addWidget(m_clear);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_formatBox);
    layout->addWidget(m_resultBox);
    layout->addWidget(m_splitBox, 10);
    layout->addWidget(m_applyBox);
    layout->addStretch(1); // keeps the boxes together when the split table is hidden

    auto changed = [this] { readControls(); };
    connect(m_family, &QComboBox::currentIndexChanged, this, changed);
    connect(m_bits, &QComboBox::currentIndexChanged, this, changed);
    connect(m_exponent, &QSpinBox::valueChanged, this, changed);
    connect(m_asym, &QCheckBox::toggled, this, changed);
    connect(m_group, &QComboBox::currentIndexChanged, this, changed);
    connect(m_storage, &QComboBox::currentIndexChanged, this, changed);
    connect(m_members, &QLineEdit::editingFinished, this, changed);
    connect(m_lut, &QLineEdit::editingFinished, this, changed);
    connect(m_applySelection, &QPushButton::clicked, this, &FormatDesigner::applyToSelectionRequested);
    connect(m_applyAll, &QPushButton::clicked, this, &FormatDesigner::applyToAllRequested);
    connect(m_clear, &QPushButton::clicked, this, &FormatDesigner::clearSelectionRequested);
    connect(m_applyMatching, &QPushButton::clicked, this, [this] { emit applyToMatchingRequested(m_pattern->text()); });
    connect(m_pattern, &QLineEdit::returnPressed, this, [this] { emit applyToMatchingRequested(m_pattern->text()); });
}

void FormatDesigner::fillFamilyCombo()
{
    const QSignalBlocker block(m_family);
    const int current = m_family->currentIndex();
    m_family->clear();
    for (int i = 0; i < kDesignerFamilyCount; ++i) {
        const auto f = static_cast<DesignerFamily>(i);
        m_family->addItem(familyTitle(f), designerFamilyKey(f));
    }
    m_family->setCurrentIndex(current < 0 ? 0 : current);
}

void FormatDesigner::retranslateUi()
{
    fillFamilyCombo();
    for (int i = 0; i < m_group->count(); ++i)
        m_group->setItemText(i, groupTitle(m_group->itemData(i).toLongLong()));
    m_formatBox->setTitle(tr("Format"));
    m_familyLabel->setText(tr("Family:"));
    m_bitsLabel->setText(tr("Bits:"));
    m_expLabel->setText(tr("Exponent bits:"));
    m_asym->setText(tr("Asymmetric (zero point / two scales)"));
    m_groupLabel->setText(tr("Group size:"));
    m_storageLabel->setText(tr("Scale storage:"));
    m_membersLabel->setText(tr("Members:"));
    m_members->setToolTip(tr("Grids separated by |, e.g. int3|fp3|nf3; each group picks the one with the lowest error"));
    m_lutLabel->setText(tr("Values:"));
    m_lut->setToolTip(tr("2 to 256 distinct finite values separated by commas or spaces"));
    m_resultBox->setTitle(tr("Selected tensor"));
    m_bpwCaption->setText(tr("Bits per weight:"));
    m_mseCaption->setText(tr("Relative MSE:"));
    m_sqnrCaption->setText(tr("SQNR:"));
    m_splitBox->setTitle(tr("ExMy splits"));
    m_splitTable->setHorizontalHeaderLabels({tr("Split"), tr("Prior ΔL\n(training law)"), tr("Measured\nrel. MSE")});
    m_splitNote->setText(tr("Prior: the FP scaling law (a law for training in FP, with N = model parameters, D = 20·N, "
                            "B = group size), not a measurement of this tensor. Double-click a row to use that split."));
    m_applyBox->setTitle(tr("Apply"));
    m_applySelection->setText(tr("To selection"));
    m_applySelection->setToolTip(tr("Plan this format for the selected tensors (Ctrl+Return)"));
    m_applySelection->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    m_applyAll->setText(tr("To all"));
    m_applyAll->setToolTip(tr("Plan this format for every linear tensor"));
    m_pattern->setPlaceholderText(tr("Regex, e.g. mlp|ffn"));
    m_applyMatching->setText(tr("To matching"));
    m_clear->setText(tr("Clear format of selection"));
    showEvaluation();
    updateSplitTable();
}

void FormatDesigner::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void FormatDesigner::setProbe(FormatProbe *probe)
{
    if (m_probe)
        disconnect(m_probe, nullptr, this, nullptr);
    m_probe = probe;
    if (!m_probe)
        return;
    connect(m_probe, &FormatProbe::evaluated, this, &FormatDesigner::showEvaluation);
    connect(m_probe, &FormatProbe::started, this, &FormatDesigner::showEvaluation);
    connect(m_probe, &FormatProbe::evaluated, this, [this] {
        if (!m_probe->result() && m_probe->tensor() && m_probe->spec())
            return; // a job is on its way
        startSplitMeasurements();
    });
    m_probe->setSpec(m_spec);
}

void FormatDesigner::setModelParams(double params)
{
    m_modelParams = params;
    updateSplitTable();
}

void FormatDesigner::setChoice(const FormatChoice &choice)
{
    m_choice = choice;
    syncControls();
    updateSpec();
}

void FormatDesigner::syncControls()
{
    const QSignalBlocker b1(m_family), b2(m_bits), b3(m_exponent), b4(m_asym), b5(m_group), b6(m_storage);
    m_family->setCurrentIndex(static_cast<int>(m_choice.family));
    const std::vector<int> bits = designerBitsFor(m_choice.family);
    m_bits->clear();
    for (const int b : bits)
        m_bits->addItem(QString::number(b), b);
    if (!bits.empty() && std::find(bits.begin(), bits.end(), m_choice.bits) == bits.end())
        m_choice.bits = bits.size() > 1 && m_choice.family != DesignerFamily::Mx ? bits[1] : bits.front();
    m_bits->setCurrentIndex(std::max(0, m_bits->findData(m_choice.bits)));
    m_bits->setEnabled(bits.size() > 1);
    const bool split = designerHasExponentSplit(m_choice.family, m_choice.bits);
    if (m_choice.family == DesignerFamily::Mx) {
        m_exponent->setRange(2, 3);
    } else {
        m_exponent->setRange(1, std::max(1, m_choice.bits - 1));
    }
    m_choice.exponentBits = std::clamp(m_choice.exponentBits, m_exponent->minimum(), m_exponent->maximum());
    m_exponent->setValue(m_choice.exponentBits);
    m_exponent->setEnabled(split);
    m_asym->setEnabled(designerTakesAsym(m_choice.family));
    m_asym->setChecked(m_choice.asymmetric && designerTakesAsym(m_choice.family));
    const bool fixedGroup = designerHasFixedGroup(m_choice.family);
    m_group->setEnabled(!fixedGroup);
    m_storage->setEnabled(!fixedGroup);
    m_group->setCurrentIndex(std::max(0, m_group->findData(QVariant::fromValue(static_cast<qlonglong>(m_choice.groupSize)))));
    if (m_choice.storage)
        m_storage->setCurrentIndex(std::max(0, m_storage->findData(static_cast<int>(*m_choice.storage))));
    m_members->setEnabled(m_choice.family == DesignerFamily::Mixture);
    m_lut->setEnabled(m_choice.family == DesignerFamily::Lut);
    if (m_choice.family == DesignerFamily::Mixture)
        m_members->setText(m_choice.members);
    if (m_choice.family == DesignerFamily::Lut)
        m_lut->setText(m_choice.lut);
    m_splitBox->setVisible(m_choice.family == DesignerFamily::Fp);
}

void FormatDesigner::readControls()
{
    FormatChoice c = m_choice;
    c.family = static_cast<DesignerFamily>(std::max(0, m_family->currentIndex()));
    if (c.family != m_choice.family) {
        // A new family starts from its own bit widths (syncControls picks a valid one).
        const std::vector<int> bits = designerBitsFor(c.family);
        if (std::find(bits.begin(), bits.end(), c.bits) == bits.end() && !bits.empty())
            c.bits = bits.size() > 1 ? bits[1] : bits.front();
        if (c.family == DesignerFamily::Fp)
            c.exponentBits = fpScalingLawBestExponent(c.bits);
    } else if (m_bits->currentIndex() >= 0) {
        const int bits = m_bits->currentData().toInt();
        if (bits != c.bits && c.family == DesignerFamily::Fp)
            c.exponentBits = fpScalingLawBestExponent(bits);
        else
            c.exponentBits = m_exponent->value();
        c.bits = bits;
    }
    c.asymmetric = m_asym->isChecked();
    c.groupSize = m_group->currentData().toLongLong();
    c.storage = static_cast<ScaleStorage>(m_storage->currentData().toInt());
    c.members = m_members->text();
    c.lut = m_lut->text();
    if (c == m_choice)
        return;
    setChoice(c);
}

void FormatDesigner::updateSpec()
{
    auto spec = specFor(m_choice);
    if (spec) {
        m_spec = std::move(*spec);
        m_specError.clear();
    } else {
        m_spec.reset();
        m_specError = QString::fromStdString(spec.error().message());
    }
    for (QPushButton *b : {m_applySelection, m_applyAll, m_applyMatching})
        b->setEnabled(m_spec.has_value());
    if (m_probe)
        m_probe->setSpec(m_spec);
    showEvaluation();
    updateSplitTable();
    emit specChanged(m_spec);
}

QString FormatDesigner::bpwText() const { return m_bpw->text(); }
QString FormatDesigner::mseText() const { return m_mse->text(); }
QString FormatDesigner::sqnrText() const { return m_sqnr->text(); }
QString FormatDesigner::statusText() const { return m_status->text(); }

void FormatDesigner::showEvaluation()
{
    const QLocale loc;
    m_formatName->setText(m_spec ? specDisplayName(*m_spec) : tr("Invalid format: %1").arg(m_specError));
    const FormatEvaluation *r = m_probe ? m_probe->result() : nullptr;
    const bool haveTensor = m_probe && m_probe->tensor();
    if (!m_spec || !haveTensor) {
        m_bpw->setText(QStringLiteral("—"));
        m_mse->setText(QStringLiteral("—"));
        m_sqnr->setText(QStringLiteral("—"));
        m_status->setText(haveTensor ? QString() : tr("Select a tensor to measure the format on it."));
        return;
    }
    if (!r) {
        // bpw is exact and cheap: show it at once, the error follows from the probe.
        const TensorView &t = *m_probe->tensor();
        m_bpw->setText(loc.toString(bitsPerWeight(*m_spec, t.rows(), t.cols()).total(), 'f', 4));
        m_status->setText(tr("Measuring…"));
        return;
    }
    if (!r->ok()) {
        m_bpw->setText(loc.toString(r->bpw.total(), 'f', 4));
        m_mse->setText(QStringLiteral("—"));
        m_sqnr->setText(QStringLiteral("—"));
        m_status->setText(tr("Cannot measure: %1").arg(r->failure));
        return;
    }
    m_bpw->setText(loc.toString(r->bpw.total(), 'f', 4));
    m_bpw->setToolTip(tr("codes %1 + scales %2 + second scales %3 + selectors %4 + tensor %5")
                          .arg(loc.toString(r->bpw.codes, 'f', 3), loc.toString(r->bpw.scales, 'f', 3),
                               loc.toString(r->bpw.secondScales, 'f', 3), loc.toString(r->bpw.selectors, 'f', 3),
                               loc.toString(r->bpw.tensor, 'f', 4)));
    m_mse->setText(formatReal(r->relativeMse(), 4));
    m_sqnr->setText(tr("%1 dB").arg(loc.toString(r->sqnrDb(), 'f', 2)));
    const QString where = r->sampled()
        ? tr("Sampled: %1 of %2 rows (evenly spaced; groups are whole).").arg(loc.toString(r->rowsMeasured), loc.toString(r->rows))
        : tr("Whole tensor (%1 rows).").arg(loc.toString(r->rows));
    m_status->setText(where + QLatin1Char(' ') + tr("%1 ms").arg(loc.toString(r->seconds * 1000.0, 'f', 1)));
}

void FormatDesigner::updateSplitTable()
{
    if (m_choice.family != DesignerFamily::Fp) {
        m_splitTable->setRowCount(0);
        return;
    }
    FpScalingLawInput in;
    in.params = m_modelParams;
    const TensorView *t = m_probe && m_probe->tensor() ? &*m_probe->tensor() : nullptr;
    in.blockSize = m_choice.groupSize > 0 ? static_cast<double>(m_choice.groupSize) : (t ? static_cast<double>(t->cols()) : 4096.0);
    const std::vector<FpSplitPrior> priors = fpSplitPriors(in, m_choice.bits);
    const int best = fpScalingLawBestExponent(m_choice.bits);
    m_splitTable->setRowCount(static_cast<int>(priors.size()));
    const QLocale loc;
    for (int i = 0; i < static_cast<int>(priors.size()); ++i) {
        const FpSplitPrior &p = priors[static_cast<std::size_t>(i)];
        QString split = QStringLiteral("E%1M%2").arg(p.exponentBits).arg(p.mantissaBits);
        if (p.exponentBits == best)
            split += QStringLiteral(" ★");
        const double measured = static_cast<std::size_t>(i) < m_splitMeasured.size() ? m_splitMeasured[static_cast<std::size_t>(i)]
                                                                                      : std::numeric_limits<double>::quiet_NaN();
        const QString cells[] = {split, m_modelParams > 0 ? loc.toString(p.penalty, 'g', 3) : QStringLiteral("—"),
                                 isSplitTableBusy() && std::isnan(measured) ? tr("…") : formatReal(measured, 4)};
        for (int c = 0; c < 3; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment(c == 0 ? Qt::AlignLeft | Qt::AlignVCenter : Qt::AlignRight | Qt::AlignVCenter);
            if (p.exponentBits == m_choice.exponentBits) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            m_splitTable->setItem(i, c, item);
        }
    }
}

void FormatDesigner::startSplitMeasurements()
{
    m_splitMeasured.clear();
    if (m_choice.family != DesignerFamily::Fp || !m_probe || !m_probe->tensor() || !m_spec) {
        updateSplitTable();
        return;
    }
    if (m_splitWatcher) {
        m_splitStop.request_stop();
        m_splitPending = true;
        return;
    }
    m_splitPending = false;
    m_splitStop = std::stop_source();
    auto *watcher = new QFutureWatcher<std::vector<double>>(this);
    m_splitWatcher = watcher;
    const FormatChoice choice = m_choice;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, choice] {
        watcher->deleteLater();
        m_splitWatcher = nullptr;
        if (m_splitPending) {
            startSplitMeasurements();
            return;
        }
        if (choice.bits == m_choice.bits && choice.groupSize == m_choice.groupSize && choice.asymmetric == m_choice.asymmetric
            && choice.storage == m_choice.storage)
            m_splitMeasured = watcher->result();
        updateSplitTable();
    });
    const TensorView view = *m_probe->tensor();
    const std::stop_token token = m_splitStop.get_token();
    updateSplitTable();
    watcher->setFuture(QtConcurrent::run([view, choice, token] { return measureSplits(view, choice, token); }));
}

} // namespace lowbit::studio
