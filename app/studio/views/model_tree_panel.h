// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The tensor tree with a search box: a LayerTreeModel behind a recursive, case-insensitive
/// QSortFilterProxyModel (matching tensors keep their group visible; a matching group shows all
/// its tensors).

#include <QWidget>

#include <memory>
#include <vector>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace lowbit {
class Model;
struct ModelTensor;
} // namespace lowbit

namespace lowbit::studio {

class LayerTreeModel;

class ModelTreePanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelTreePanel(QWidget *parent = nullptr);

    /// Shows `model` (nullptr empties the tree) and clears the search.
    void setModel(std::shared_ptr<const lowbit::Model> model);
    /// Selects and reveals the tensor named `name`; false when there is none (or it is filtered out).
    bool selectTensor(const QString &name);
    /// The selected tensor, nullptr when a group or nothing is selected.
    const lowbit::ModelTensor *currentTensor() const;
    /// Index (into Model::tensors()) of the current tensor, −1 when none.
    int currentTensorIndex() const;
    /// Indices of every selected tensor; a selected group row stands for all its tensors.
    std::vector<int> selectedTensorIndices() const;
    /// Shows the Format, Bits/weight and Error columns (hidden until a format is planned).
    void setPlanColumnsVisible(bool visible);

    LayerTreeModel *layerTreeModel() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QTreeView *treeView() const { return m_view; }
    QLineEdit *searchEdit() const { return m_search; }

signals:
    /// The current tensor changed (nullptr: a group row or nothing).
    void currentTensorChanged(const lowbit::ModelTensor *tensor);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    LayerTreeModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
};

} // namespace lowbit::studio
