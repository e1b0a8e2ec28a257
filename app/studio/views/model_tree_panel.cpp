// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/model_tree_panel.h"

#include "app/studio/models/layer_tree_model.h"

#include <QEvent>
#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace lowbit::studio {

ModelTreePanel::ModelTreePanel(QWidget *parent) : QWidget(parent)
{
    m_model = new LayerTreeModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(LayerTreeModel::NameColumn);
    m_proxy->setSortRole(LayerTreeModel::SortRole);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("tensorSearch"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_view->expandAll();
    });

    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("tensorTree"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(-1, Qt::AscendingOrder); // file order until the user clicks a header
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection); // "apply to selection" takes several
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->resizeSection(LayerTreeModel::NameColumn, 290);
    header->resizeSection(LayerTreeModel::RoleColumn, 72);
    header->resizeSection(LayerTreeModel::ShapeColumn, 80);
    header->resizeSection(LayerTreeModel::DTypeColumn, 50);
    header->resizeSection(LayerTreeModel::ParamsColumn, 70);
    // Format, bits/weight and error stay empty until a model is quantized: hidden until then.
    for (const int c : {LayerTreeModel::FormatColumn, LayerTreeModel::BpwColumn, LayerTreeModel::ErrorColumn})
        m_view->setColumnHidden(c, true);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { emit currentTensorChanged(currentTensor()); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);
    retranslateUi();
}

void ModelTreePanel::setModel(std::shared_ptr<const lowbit::Model> model)
{
    m_search->clear();
    m_model->setModel(std::move(model));
    emit currentTensorChanged(nullptr);
}

bool ModelTreePanel::selectTensor(const QString &name)
{
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->indexOfTensor(name));
    if (!proxyIndex.isValid())
        return false;
    m_view->scrollTo(proxyIndex); // expands the parent
    m_view->selectionModel()->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

const lowbit::ModelTensor *ModelTreePanel::currentTensor() const
{
    return m_model->tensorAt(m_proxy->mapToSource(m_view->currentIndex()));
}

int ModelTreePanel::currentTensorIndex() const
{
    const QModelIndex source = m_proxy->mapToSource(m_view->currentIndex());
    return source.isValid() ? source.siblingAtColumn(0).data(LayerTreeModel::TensorIndexRole).toInt() : -1;
}

std::vector<int> ModelTreePanel::selectedTensorIndices() const
{
    std::vector<int> out;
    for (const QModelIndex &proxyIndex : m_view->selectionModel()->selectedRows()) {
        const QModelIndex source = m_proxy->mapToSource(proxyIndex);
        if (source.data(LayerTreeModel::IsGroupRole).toBool()) {
            for (int r = 0; r < m_model->rowCount(source); ++r)
                out.push_back(m_model->index(r, 0, source).data(LayerTreeModel::TensorIndexRole).toInt());
        } else if (const int i = source.data(LayerTreeModel::TensorIndexRole).toInt(); i >= 0) {
            out.push_back(i);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void ModelTreePanel::setPlanColumnsVisible(bool visible)
{
    for (const int c : {LayerTreeModel::FormatColumn, LayerTreeModel::BpwColumn, LayerTreeModel::ErrorColumn})
        m_view->setColumnHidden(c, !visible);
    if (visible) {
        m_view->header()->resizeSection(LayerTreeModel::FormatColumn, 150);
        m_view->header()->resizeSection(LayerTreeModel::BpwColumn, 80);
        m_view->header()->resizeSection(LayerTreeModel::ErrorColumn, 80);
    }
}

void ModelTreePanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ModelTreePanel::retranslateUi()
{
    m_search->setPlaceholderText(tr("Filter tensors (e.g. q_proj, layers.3, attn)…"));
}

} // namespace lowbit::studio
