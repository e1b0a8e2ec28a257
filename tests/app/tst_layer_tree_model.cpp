// SPDX-License-Identifier: GPL-3.0-or-later
// LayerTreeModel: grouping, parent/child indexes, column data, roles, filtering through the tree
// panel's proxy, reset signals, QAbstractItemModelTester, header re-translation.
#include "app/studio/language_manager.h"
#include "app/studio/models/layer_tree_model.h"
#include "app/studio/studio_resources.h"
#include "app/studio/views/model_tree_panel.h"
#include "helpers/tiny_model.h"

#include <QAbstractItemModelTester>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using lowbit::studio::LayerTreeModel;

class TestLayerTreeModel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void emptyModel();
    void groupsAndRowCounts();
    void parentChildIndexes();
    void columnData_data();
    void columnData();
    void groupData();
    void tensorIndexRoleMapsToModel();
    void indexOfTensor();
    void resetSignals();
    void modelTester();
    void filtering_data();
    void filtering();
    void sortingByParams();
    void headerRetranslates();

private:
    std::shared_ptr<const lowbit::Model> m_model;
};

void TestLayerTreeModel::initTestCase()
{
    lowbit::studio::initStudioResources();
    m_model = lowbit::test::makeTinyModel();
    QVERIFY(m_model);
}

void TestLayerTreeModel::emptyModel()
{
    LayerTreeModel model;
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(LayerTreeModel::ColumnCount));
    QVERIFY(!model.index(0, 0).isValid());
    QVERIFY(!model.tensorAt(QModelIndex()));
}

void TestLayerTreeModel::groupsAndRowCounts()
{
    LayerTreeModel model;
    model.setModel(m_model);
    const int layers = static_cast<int>(m_model->config().numLayers);
    QCOMPARE(model.rowCount(), layers + 2); // Embedding, Layer 0..N-1, Final
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Embedding"));
    for (int l = 0; l < layers; ++l) {
        const QModelIndex g = model.index(l + 1, 0);
        QCOMPARE(g.data().toString(), QStringLiteral("Layer %1").arg(l));
        QCOMPARE(g.data(LayerTreeModel::LayerRole).toInt(), l);
        int expected = 0;
        for (const auto &t : m_model->tensors())
            expected += t.layer == l ? 1 : 0;
        QCOMPARE(model.rowCount(g), expected);
    }
    QCOMPARE(model.index(layers + 1, 0).data().toString(), QStringLiteral("Final"));
    QCOMPARE(model.rowCount(model.index(0, 0)), 1);
    QCOMPARE(model.rowCount(model.index(layers + 1, 0)), 2);
    // Every tensor appears exactly once.
    int total = 0;
    for (int g = 0; g < model.rowCount(); ++g)
        total += model.rowCount(model.index(g, 0));
    QCOMPARE(total, static_cast<int>(m_model->tensors().size()));
    // Children only under column 0; tensor rows have no children.
    QCOMPARE(model.rowCount(model.index(1, 1)), 0);
    QCOMPARE(model.rowCount(model.index(0, 0, model.index(1, 0))), 0);
}

void TestLayerTreeModel::parentChildIndexes()
{
    LayerTreeModel model;
    model.setModel(m_model);
    for (int g = 0; g < model.rowCount(); ++g) {
        const QModelIndex group = model.index(g, 0);
        QVERIFY(!group.parent().isValid());
        for (int r = 0; r < model.rowCount(group); ++r)
            for (int c = 0; c < model.columnCount(group); ++c) {
                const QModelIndex child = model.index(r, c, group);
                QVERIFY(child.isValid());
                QCOMPARE(child.parent(), group);
                QCOMPARE(child.row(), r);
                QCOMPARE(child.column(), c);
            }
        QVERIFY(!model.index(model.rowCount(group), 0, group).isValid());
    }
    QVERIFY(!model.index(model.rowCount(), 0).isValid());
    QVERIFY(!model.index(0, LayerTreeModel::ColumnCount).isValid());
    QVERIFY(!model.index(-1, 0).isValid());
}

void TestLayerTreeModel::columnData_data()
{
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("expected");
    const QString q = QStringLiteral("model.layers.1.self_attn.q_proj.weight");
    const QString k = QStringLiteral("model.layers.0.self_attn.k_proj.weight");
    const QString norm = QStringLiteral("model.norm.weight");
    const QString down = QStringLiteral("model.layers.0.mlp.down_proj.weight");
    QTest::newRow("q name") << q << int(LayerTreeModel::NameColumn) << q;
    QTest::newRow("q role") << q << int(LayerTreeModel::RoleColumn) << QStringLiteral("q");
    QTest::newRow("q shape") << q << int(LayerTreeModel::ShapeColumn) << QStringLiteral("[8, 8]");
    QTest::newRow("q dtype") << q << int(LayerTreeModel::DTypeColumn) << QStringLiteral("f32");
    QTest::newRow("q params") << q << int(LayerTreeModel::ParamsColumn) << QStringLiteral("64");
    QTest::newRow("k shape") << k << int(LayerTreeModel::ShapeColumn) << QStringLiteral("[4, 8]");
    QTest::newRow("k params") << k << int(LayerTreeModel::ParamsColumn) << QStringLiteral("32");
    QTest::newRow("down shape") << down << int(LayerTreeModel::ShapeColumn) << QStringLiteral("[8, 16]");
    QTest::newRow("down role") << down << int(LayerTreeModel::RoleColumn) << QStringLiteral("down");
    QTest::newRow("norm role") << norm << int(LayerTreeModel::RoleColumn) << QStringLiteral("final_norm");
    QTest::newRow("norm shape") << norm << int(LayerTreeModel::ShapeColumn) << QStringLiteral("[8]");
    QTest::newRow("q format (empty until quantized)") << q << int(LayerTreeModel::FormatColumn) << QString();
    QTest::newRow("q bpw (empty)") << q << int(LayerTreeModel::BpwColumn) << QString();
    QTest::newRow("q error (empty)") << q << int(LayerTreeModel::ErrorColumn) << QString();
}

void TestLayerTreeModel::columnData()
{
    QFETCH(QString, tensor);
    QFETCH(int, column);
    QFETCH(QString, expected);
    LayerTreeModel model;
    model.setModel(m_model);
    const QModelIndex first = model.indexOfTensor(tensor);
    QVERIFY(first.isValid());
    const QModelIndex idx = model.index(first.row(), column, first.parent());
    QCOMPARE(idx.data().toString(), expected);
    QCOMPARE(idx.data(LayerTreeModel::IsGroupRole).toBool(), false);
    QCOMPARE(idx.data(LayerTreeModel::TensorNameRole).toString(), tensor);
}

void TestLayerTreeModel::groupData()
{
    LayerTreeModel model;
    model.setModel(m_model);
    const QModelIndex layer0 = model.index(1, 0);
    QCOMPARE(layer0.data(LayerTreeModel::IsGroupRole).toBool(), true);
    QCOMPARE(layer0.data(LayerTreeModel::TensorIndexRole).toInt(), -1);
    std::uint64_t params = 0;
    for (const auto &t : m_model->tensors())
        if (t.layer == 0)
            params += t.view.numel();
    QCOMPARE(model.index(1, LayerTreeModel::ParamsColumn).data(LayerTreeModel::SortRole).toULongLong(), params);
    QCOMPARE(model.index(1, LayerTreeModel::ParamsColumn).data().toString(), QString::number(params));
    QVERIFY(model.index(1, LayerTreeModel::ShapeColumn).data().toString().isEmpty());
    QVERIFY(!model.tensorAt(layer0));
}

void TestLayerTreeModel::tensorIndexRoleMapsToModel()
{
    LayerTreeModel model;
    model.setModel(m_model);
    std::vector<int> seen(m_model->tensors().size(), 0);
    for (int g = 0; g < model.rowCount(); ++g) {
        const QModelIndex group = model.index(g, 0);
        for (int r = 0; r < model.rowCount(group); ++r) {
            const QModelIndex idx = model.index(r, 0, group);
            const int ti = idx.data(LayerTreeModel::TensorIndexRole).toInt();
            QVERIFY(ti >= 0 && ti < static_cast<int>(seen.size()));
            ++seen[static_cast<std::size_t>(ti)];
            const lowbit::ModelTensor *t = model.tensorAt(idx);
            QVERIFY(t);
            QCOMPARE(t, &m_model->tensors()[static_cast<std::size_t>(ti)]);
            QCOMPARE(idx.data().toString(), QString::fromStdString(t->view.name));
            QCOMPARE(idx.data(LayerTreeModel::LayerRole).toInt(), t->layer);
        }
    }
    for (const int n : seen)
        QCOMPARE(n, 1);
}

void TestLayerTreeModel::indexOfTensor()
{
    LayerTreeModel model;
    QVERIFY(!model.indexOfTensor(QStringLiteral("model.norm.weight")).isValid());
    model.setModel(m_model);
    const QModelIndex idx = model.indexOfTensor(QStringLiteral("model.layers.1.mlp.up_proj.weight"));
    QVERIFY(idx.isValid());
    QCOMPARE(idx.parent().data().toString(), QStringLiteral("Layer 1"));
    QVERIFY(!model.indexOfTensor(QStringLiteral("no.such.tensor")).isValid());
}

void TestLayerTreeModel::resetSignals()
{
    LayerTreeModel model;
    QSignalSpy about(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setModel(m_model);
    QCOMPARE(about.count(), 1);
    QCOMPARE(reset.count(), 1);
    QVERIFY(model.rowCount() > 0);
    model.clear();
    QCOMPARE(reset.count(), 2);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.model());
}

void TestLayerTreeModel::modelTester()
{
    LayerTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setRecursiveFilteringEnabled(true);
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModel(m_model);
    proxy.setFilterFixedString(QStringLiteral("proj"));
    proxy.sort(LayerTreeModel::ParamsColumn, Qt::DescendingOrder);
    proxy.setFilterFixedString(QString());
    model.setModel(lowbit::test::makeTinyModel());
    model.clear();
}

void TestLayerTreeModel::filtering_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("groups");     // visible top-level rows, in order
    QTest::addColumn<QList<int>>("childCounts"); // visible children of each
    QTest::newRow("none") << QString()
                          << QStringList{QStringLiteral("Embedding"), QStringLiteral("Layer 0"), QStringLiteral("Layer 1"), QStringLiteral("Final")}
                          << QList<int>{1, 9, 9, 2};
    QTest::newRow("q_proj keeps its layers") << QStringLiteral("q_proj")
                                             << QStringList{QStringLiteral("Layer 0"), QStringLiteral("Layer 1")} << QList<int>{1, 1};
    QTest::newRow("case-insensitive") << QStringLiteral("Q_PROJ")
                                      << QStringList{QStringLiteral("Layer 0"), QStringLiteral("Layer 1")} << QList<int>{1, 1};
    QTest::newRow("norm") << QStringLiteral("norm")
                          << QStringList{QStringLiteral("Layer 0"), QStringLiteral("Layer 1"), QStringLiteral("Final")}
                          << QList<int>{2, 2, 1};
    QTest::newRow("one layer's tensors") << QStringLiteral("layers.1.")
                                         << QStringList{QStringLiteral("Layer 1")} << QList<int>{9};
    QTest::newRow("group name shows all its tensors") << QStringLiteral("Final")
                                                      << QStringList{QStringLiteral("Final")} << QList<int>{2};
    QTest::newRow("no match") << QStringLiteral("zzz") << QStringList{} << QList<int>{};
}

void TestLayerTreeModel::filtering()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, groups);
    QFETCH(QList<int>, childCounts);
    lowbit::studio::ModelTreePanel panel;
    panel.setModel(m_model);
    QAbstractItemModelTester tester(panel.proxyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    panel.searchEdit()->setText(filter); // the search box drives the proxy
    QSortFilterProxyModel *proxy = panel.proxyModel();
    QStringList shown;
    QList<int> counts;
    for (int g = 0; g < proxy->rowCount(); ++g) {
        const QModelIndex group = proxy->index(g, 0);
        shown << group.data().toString();
        counts << proxy->rowCount(group);
        for (int r = 0; r < proxy->rowCount(group); ++r) {
            const QModelIndex child = proxy->index(r, 0, group);
            if (!filter.isEmpty() && !groups.isEmpty() && !group.data().toString().contains(filter, Qt::CaseInsensitive))
                QVERIFY2(child.data().toString().contains(filter, Qt::CaseInsensitive), qPrintable(child.data().toString()));
        }
    }
    QCOMPARE(shown, groups);
    QCOMPARE(counts, childCounts);
}

void TestLayerTreeModel::sortingByParams()
{
    lowbit::studio::ModelTreePanel panel;
    panel.setModel(m_model);
    QSortFilterProxyModel *proxy = panel.proxyModel();
    proxy->sort(LayerTreeModel::ParamsColumn, Qt::DescendingOrder);
    const QModelIndex layer0 = proxy->index(0, 0).data().toString() == QStringLiteral("Embedding")
        ? proxy->index(2, 0) : proxy->index(0, 0);
    QVERIFY(layer0.isValid());
    quint64 previous = std::numeric_limits<quint64>::max();
    for (int r = 0; r < proxy->rowCount(layer0); ++r) {
        const quint64 p = proxy->index(r, LayerTreeModel::ParamsColumn, layer0).data(LayerTreeModel::SortRole).toULongLong();
        QVERIFY2(p <= previous, "children must be sorted by parameter count, numerically");
        previous = p;
    }
    // The last children are the 8-element norms.
    QCOMPARE(previous, quint64(8));
}

void TestLayerTreeModel::headerRetranslates()
{
    LayerTreeModel model;
    model.setModel(m_model);
    QCOMPARE(model.headerData(LayerTreeModel::ShapeColumn, Qt::Horizontal).toString(), QStringLiteral("Shape"));
    QSignalSpy spy(&model, &QAbstractItemModel::headerDataChanged);
    lowbit::studio::LanguageManager languages;
    QVERIFY2(languages.setLanguage(QStringLiteral("de")), "the German translation must be compiled into the resources");
    QVERIFY(spy.count() >= 1);
    QCOMPARE(spy.first().at(0).value<Qt::Orientation>(), Qt::Horizontal);
    QCOMPARE(model.headerData(LayerTreeModel::ShapeColumn, Qt::Horizontal).toString(), QStringLiteral("Form"));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Schicht 0"));
    languages.setLanguage(QStringLiteral("en"));
    QCOMPARE(model.headerData(LayerTreeModel::ShapeColumn, Qt::Horizontal).toString(), QStringLiteral("Shape"));
}

QTEST_MAIN(TestLayerTreeModel)
#include "tst_layer_tree_model.moc"
