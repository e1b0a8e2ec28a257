// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The model's tensors as a two-level tree: group rows "Embedding", "Layer 0".."Layer N-1",
/// "Final" (and "Other" when some tensor fits nowhere), each holding its tensors in file order.
/// Every mutation goes through the model's own methods, which emit the begin/end signals.

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace lowbit {
class Model;
struct ModelTensor;
} // namespace lowbit

namespace lowbit::studio {

class LayerTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { NameColumn, RoleColumn, ShapeColumn, DTypeColumn, ParamsColumn,
                  FormatColumn, BpwColumn, ErrorColumn, ColumnCount };

    enum Roles {
        TensorIndexRole = Qt::UserRole + 1, ///< int: index into Model::tensors(), -1 on group rows
        LayerRole,                          ///< int: the tensor's or group's layer, -1 outside the blocks
        IsGroupRole,                        ///< bool
        SortRole,                           ///< numbers for numeric columns, group order for groups
        TensorNameRole,                     ///< QString: the tensor's name in the file
    };
    Q_ENUM(Roles)

    enum class GroupKind { Embedding, Layer, Final, Other };

    explicit LayerTreeModel(QObject *parent = nullptr);
    ~LayerTreeModel() override;

    /// Replaces the whole tree (a model reset); nullptr empties it. The model is shared, not copied.
    void setModel(std::shared_ptr<const lowbit::Model> model);
    void clear() { setModel(nullptr); }
    const std::shared_ptr<const lowbit::Model> &model() const { return m_model; }

    /// The tensor at a tensor row of this model (not a proxy), nullptr for group rows.
    const lowbit::ModelTensor *tensorAt(const QModelIndex &index) const;
    /// The index (column 0) of the tensor named `name`, invalid when there is none.
    QModelIndex indexOfTensor(const QString &name) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

protected:
    /// Re-emits headerDataChanged and the group names on QEvent::LanguageChange (sent to qApp).
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Group {
        GroupKind kind = GroupKind::Other;
        int layer = -1;
        std::vector<int> tensors; ///< indices into Model::tensors()
        std::uint64_t params = 0;
    };

    QVariant groupData(const Group &group, int row, int column, int role) const;
    QVariant tensorData(const lowbit::ModelTensor &tensor, int tensorIndex, int column, int role) const;
    QString groupName(const Group &group) const;

    std::shared_ptr<const lowbit::Model> m_model;
    std::vector<Group> m_groups;
};

} // namespace lowbit::studio
