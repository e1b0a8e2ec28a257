// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: empty state, background loading of the stories260K model (llama2.c .bin and HF
// folder), tree and Tensor panel filled on selection, errors reported without blocking, drops.
#include "app/studio/charts/channel_chart.h"
#include "app/studio/charts/histogram_chart.h"
#include "app/studio/language_manager.h"
#include "app/studio/main_window.h"
#include "app/studio/models/layer_tree_model.h"
#include "app/studio/settings/recent_models.h"
#include "app/studio/studio_resources.h"
#include "app/studio/util/display_format.h"
#include "app/studio/views/empty_state_widget.h"
#include "app/studio/views/model_tree_panel.h"
#include "app/studio/views/tensor_panel.h"
#include "core/model/model.h"
#include "helpers/tiny_model.h"
#include "test_support.h"

#include <QCheckBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTest>
#include <QTreeView>
#include <QUrl>

#include <algorithm>
#include <numeric>

using lowbit::studio::MainWindow;

namespace {
constexpr int kLoadTimeoutMs = 60000;
const QString kQName = QStringLiteral("model.layers.0.self_attn.q_proj.weight");

struct Reported {
    int count = 0;
    QString title, message;
};
} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void startsEmptyWithCallToAction();
    void badPathReportsError();
    void defaultErrorBoxIsNonBlocking();
    void dropOpensPath();
    void showModelFillsTreeAndPanel();
    void languageSwitchRetranslates();
    void opensLlama2cBin();
    void opensHfFolder();

private:
    void openAndCheck(const QString &path);
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings go to a throw-away test location
    QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
    lowbit::studio::initStudioResources();
}

void TestMainWindow::init() { lowbit::studio::clearRecentModels(); }

void TestMainWindow::startsEmptyWithCallToAction()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.isEmptyStateShown());
    QVERIFY(w.emptyState()->isVisible());
    QVERIFY(!w.treeDock()->isVisible());
    QVERIFY(w.emptyState()->openFolderButton()->isVisible());
    QVERIFY(!w.emptyState()->openFolderButton()->text().isEmpty());
    QVERIFY(!w.emptyState()->openFileButton()->text().isEmpty());
    QVERIFY(!w.currentModel());
    QVERIFY(!w.isLoading());
    auto *status = w.findChild<QLabel *>(QStringLiteral("statusModel"));
    QVERIFY(status);
    QCOMPARE(status->text(), QStringLiteral("No model loaded"));
    QStringList menus;
    for (QAction *a : w.menuBar()->actions())
        menus << a->text();
    QCOMPARE(menus, (QStringList{QStringLiteral("&File"), QStringLiteral("&Edit"), QStringLiteral("&View"), QStringLiteral("&Quantize"),
                                 QStringLiteral("&Help")}));
}

void TestMainWindow::badPathReportsError()
{
    MainWindow w;
    Reported reported;
    w.setErrorReporter([&](const QString &title, const QString &message) {
        ++reported.count;
        reported.title = title;
        reported.message = message;
    });
    QSignalSpy failed(&w, &MainWindow::modelLoadFailed);
    const QString bad = QStringLiteral("/nonexistent/lowbit/model.gguf");
    w.openModel(bad);
    QTRY_COMPARE_WITH_TIMEOUT(reported.count, 1, kLoadTimeoutMs);
    QVERIFY(!w.isLoading());
    QVERIFY2(reported.message.contains(bad), qPrintable(reported.message));
    QVERIFY(!reported.title.isEmpty());
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().at(0).toString(), bad);
    QVERIFY(w.isEmptyStateShown());
    QVERIFY(!w.currentModel());
    QVERIFY(lowbit::studio::recentModels().isEmpty());
}

void TestMainWindow::defaultErrorBoxIsNonBlocking()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString bad = QStringLiteral("/nonexistent/lowbit/folder");
    w.openModel(bad);
    // The event loop keeps running while the box is up: that is what QTRY_ relies on.
    QTRY_VERIFY_WITH_TIMEOUT(w.findChild<QMessageBox *>(QStringLiteral("loadErrorBox")), kLoadTimeoutMs);
    auto *box = w.findChild<QMessageBox *>(QStringLiteral("loadErrorBox"));
    QTRY_VERIFY(box->isVisible());
    QVERIFY2(box->text().contains(bad), qPrintable(box->text()));
    box->close(); // WA_DeleteOnClose
    QTRY_VERIFY(!w.findChild<QMessageBox *>(QStringLiteral("loadErrorBox")));
    QVERIFY(w.isEmptyStateShown());
}

void TestMainWindow::dropOpensPath()
{
    MainWindow w;
    Reported reported;
    w.setErrorReporter([&](const QString &, const QString &message) {
        ++reported.count;
        reported.message = message;
    });
    const QString path = QStringLiteral("/nonexistent/dropped.bin");
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&w, &drop);
    QTRY_COMPARE_WITH_TIMEOUT(reported.count, 1, kLoadTimeoutMs);
    QVERIFY2(reported.message.contains(path), qPrintable(reported.message));

    QMimeData text;
    text.setText(QStringLiteral("not a file"));
    QDragEnterEvent rejected(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    rejected.setAccepted(false);
    QCoreApplication::sendEvent(&w, &rejected);
    QVERIFY(!rejected.isAccepted());
}

void TestMainWindow::showModelFillsTreeAndPanel()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const auto model = lowbit::test::makeTinyModel();
    QVERIFY(model);
    w.selectTensor(QStringLiteral("model.layers.1.mlp.down_proj.weight")); // no model yet: kept pending
    w.showModel(model, 12345);
    QVERIFY(!w.isEmptyStateShown());
    QVERIFY(w.treeDock()->isVisible());
    QCOMPARE(w.treePanel()->layerTreeModel()->rowCount(), 4);
    QCOMPARE(w.tensorPanel()->tensorName(), QStringLiteral("model.layers.1.mlp.down_proj.weight"));
    QVERIFY(w.tensorPanel()->analysis());
    QCOMPARE(w.tensorPanel()->channelChart()->channelCount(), 8);
    QCOMPARE(w.tensorPanel()->histogramChart()->binCount(), lowbit::studio::kHistogramBins);
    QVERIFY(w.findChild<QLabel *>(QStringLiteral("statusSize"))->text().contains(lowbit::studio::formatBytes(12345)));
    QVERIFY(w.findChild<QLabel *>(QStringLiteral("statusParams"))->text().contains(lowbit::studio::formatCount(model->totalParams())));
    w.selectTensor(QStringLiteral("model.layers.0.self_attn.k_proj.weight"));
    QCOMPARE(w.tensorPanel()->tensorName(), QStringLiteral("model.layers.0.self_attn.k_proj.weight"));
    QCOMPARE(w.tensorPanel()->channelChart()->channelCount(), 4);
    w.showModel(nullptr);
    QVERIFY(w.isEmptyStateShown());
    QVERIFY(!w.treeDock()->isVisible());
    QCOMPARE(w.treePanel()->layerTreeModel()->rowCount(), 0);
    QVERIFY(!w.tensorPanel()->analysis());
}

void TestMainWindow::languageSwitchRetranslates()
{
    lowbit::studio::LanguageManager languages;
    MainWindow w;
    w.setLanguageManager(&languages);
    QVERIFY(lowbit::studio::LanguageManager::availableLanguages().contains(QStringLiteral("de")));
    auto menuTitles = [&] {
        QStringList titles;
        for (QAction *a : w.menuBar()->actions())
            titles << a->text();
        return titles;
    };
    auto *status = w.findChild<QLabel *>(QStringLiteral("statusModel"));
    QVERIFY(status);
    auto *languageMenu = w.findChild<QMenu *>(QStringLiteral("languageMenu"));
    QVERIFY(languageMenu);
    QAction *deutsch = nullptr;
    for (QAction *a : languageMenu->actions())
        if (a->data().toString() == QStringLiteral("de"))
            deutsch = a;
    QVERIFY(deutsch);
    deutsch->trigger(); // what the user does: View > Language > Deutsch
    QCOMPARE(languages.language(), QStringLiteral("de"));
    // QApplication posts LanguageChange to the top-level widgets: wait for it.
    QTRY_COMPARE(menuTitles(), (QStringList{QStringLiteral("&Datei"), QStringLiteral("&Bearbeiten"), QStringLiteral("&Ansicht"),
                                            QStringLiteral("&Quantisieren"), QStringLiteral("&Hilfe")}));
    QCOMPARE(status->text(), QStringLiteral("Kein Modell geladen"));
    QCOMPARE(w.emptyState()->openFolderButton()->text(), QStringLiteral("Ordner öffnen…"));
    QCOMPARE(languageMenu->title(), QStringLiteral("&Sprache"));
    QVERIFY(!languages.setLanguage(QStringLiteral("fr"))); // no French translation: English
    QTRY_COMPARE(menuTitles().value(0), QStringLiteral("&File"));
    QVERIFY(languages.setLanguage(QStringLiteral("en")));
    QTRY_COMPARE(status->text(), QStringLiteral("No model loaded"));
}

void TestMainWindow::openAndCheck(const QString &path)
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    Reported reported;
    w.setErrorReporter([&](const QString &, const QString &message) {
        ++reported.count;
        reported.message = message;
    });
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    w.openModel(path);
    QVERIFY(w.isLoading());
    w.selectTensor(kQName); // applied once the model is on display
    QTRY_VERIFY_WITH_TIMEOUT(!w.isLoading(), kLoadTimeoutMs);
    QVERIFY2(reported.count == 0, qPrintable(reported.message));
    QCOMPARE(loaded.count(), 1);

    const auto model = w.currentModel();
    QVERIFY(model);
    QVERIFY(!w.isEmptyStateShown());
    QVERIFY(w.treeDock()->isVisible());
    QVERIFY(w.tensorPanel()->isVisible());

    // The tree: Embedding, one group per layer, Final; every tensor exactly once.
    lowbit::studio::LayerTreeModel *tree = w.treePanel()->layerTreeModel();
    const int layers = static_cast<int>(model->config().numLayers);
    QVERIFY(layers > 0);
    QVERIFY(tree->rowCount() >= layers + 2);
    QCOMPARE(tree->index(1, 0).data().toString(), QStringLiteral("Layer 0"));
    int total = 0;
    for (int g = 0; g < tree->rowCount(); ++g)
        total += tree->rowCount(tree->index(g, 0));
    QCOMPARE(total, static_cast<int>(model->tensors().size()));
    QCOMPARE(w.treePanel()->treeView()->model()->rowCount(), tree->rowCount());

    // Status bar and recent list.
    auto *params = w.findChild<QLabel *>(QStringLiteral("statusParams"));
    QVERIFY(params && params->text().contains(lowbit::studio::formatCount(model->totalParams())));
    auto *arch = w.findChild<QLabel *>(QStringLiteral("statusArch"));
    QVERIFY(arch && arch->text().contains(QString::number(model->config().hiddenSize)));
    QVERIFY(!w.findChild<QLabel *>(QStringLiteral("statusSize"))->text().isEmpty());
    QCOMPARE(lowbit::studio::recentModels().value(0), QFileInfo(path).absoluteFilePath());

    // The pending selection was applied: the Tensor panel shows q_proj of layer 0.
    lowbit::studio::TensorPanel *panel = w.tensorPanel();
    QCOMPARE(panel->tensorName(), kQName);
    QTRY_VERIFY_WITH_TIMEOUT(panel->analysis() != nullptr, kLoadTimeoutMs);
    const lowbit::ModelTensor *q = model->findByName(kQName.toStdString());
    QVERIFY(q);
    auto floats = q->view.toFloatVector();
    QVERIFY(floats.ok());
    const auto [mn, mx] = std::minmax_element(floats->begin(), floats->end());
    QCOMPARE(panel->analysis()->stats.min, static_cast<double>(*mn));
    QCOMPARE(panel->analysis()->stats.max, static_cast<double>(*mx));
    QCOMPARE(panel->histogramChart()->binCount(), lowbit::studio::kHistogramBins);
    QCOMPARE(panel->histogramChart()->pointCount(), 2 * lowbit::studio::kHistogramBins);
    const auto &h = panel->analysis()->histogram;
    QCOMPARE(std::accumulate(h.begin(), h.end(), std::uint64_t{0}), static_cast<std::uint64_t>(floats->size()));
    QCOMPARE(panel->channelChart()->channelCount(), static_cast<int>(q->view.rows()));
    QCOMPARE(panel->fieldText(lowbit::studio::TensorPanel::Field::Shape), lowbit::studio::formatShape(q->view.shape));
    QVERIFY(panel->fieldText(lowbit::studio::TensorPanel::Field::Std) != QStringLiteral("—"));

    // Selecting another tensor through the tree view refills the panel.
    const QModelIndex embeddingGroup = w.treePanel()->proxyModel()->index(0, 0);
    const QModelIndex embedding = w.treePanel()->proxyModel()->index(0, 0, embeddingGroup);
    QVERIFY(embedding.isValid());
    w.treePanel()->treeView()->setCurrentIndex(embedding);
    QCOMPARE(panel->tensorName(), embedding.data().toString());
    QTRY_VERIFY_WITH_TIMEOUT(panel->analysis() != nullptr, kLoadTimeoutMs);
    QCOMPARE(panel->analysis()->tensorName, embedding.data().toString());

    // The log toggle switches the histogram's count axis.
    panel->logScaleCheckBox()->setChecked(!panel->logScaleCheckBox()->isChecked());
    QCOMPARE(panel->histogramChart()->logScale(), panel->logScaleCheckBox()->isChecked());
    panel->logScaleCheckBox()->setChecked(false);

    // A group row clears the panel.
    w.treePanel()->treeView()->setCurrentIndex(embeddingGroup);
    QVERIFY(!panel->analysis());
    QCOMPARE(panel->histogramChart()->binCount(), 0);
}

void TestMainWindow::opensLlama2cBin()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
    openAndCheck(QString::fromStdString(lowbit::test::sharedPath("models/stories260K/stories260K.bin")));
}

void TestMainWindow::opensHfFolder()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    openAndCheck(QString::fromStdString(lowbit::test::sharedPath("models/stories260K/hf")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
