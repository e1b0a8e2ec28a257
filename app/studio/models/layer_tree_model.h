// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The model's tensors as a two-level tree: group rows "Embedding", "Layer 0".."Layer N-1",
/// "Final" (and "Other" when some tensor fits nowhere), each holding its tensors in file order.
/// Every mutation goes through the model's own methods, which emit the begin/end signals (or
/// dataChanged): the format plan (one FormatSpec per tensor, edited by the designer's undo
/// commands) and the measured error of each planned tensor fill the Format, Bits/weight and Error
/// columns. A tensor the studio already quantized (a container) shows its stored format.

#include "core/quant/format.h"

#include <QAbstractItemModel>
#include <QList>

#include <map>
#include <memory>
#include <optional>
#include <string>
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
    /// The index (column 0) of Model::tensors()[tensorIndex], invalid when out of range.
    QModelIndex indexOfTensorIndex(int tensorIndex) const;

    /// True for the tensors a format can be planned for: 2-D linear weights (and the embedding
    /// and classifier, which quantizeModel quantizes on request).
    bool isQuantizable(int tensorIndex) const;
    /// Indices of every quantizable tensor, in file order.
    std::vector<int> quantizableTensors() const;

    /// Sets (or, with nullopt, removes) the planned format of each listed tensor; emits
    /// dataChanged for their rows and groups and formatsChanged. Non-quantizable indices are
    /// ignored. The measured error of a tensor is kept per format, so undo shows it again.
    void setTensorFormats(const std::vector<std::pair<int, std::optional<lowbit::FormatSpec>>> &changes);
    std::optional<lowbit::FormatSpec> tensorFormat(int tensorIndex) const;
    /// Records the error of `tensorIndex` under `spec` (shown while that format is planned).
    void setTensorError(int tensorIndex, const lowbit::FormatSpec &spec, double relativeMse, double sqnrDb);
    /// The recorded relative MSE of the tensor's planned format, nullopt when not measured.
    std::optional<double> tensorError(int tensorIndex) const;
    /// (relative MSE, SQNR dB) recorded for the tensor's planned format, nullopt when not measured.
    std::optional<std::pair<double, double>> tensorMeasurement(int tensorIndex) const;
    /// Planned tensors without a recorded error.
    std::vector<int> unmeasuredTensors() const;
    /// The plan as quantizeModel takes it (QuantizeConfig::plan): tensor name → spec.
    std::map<std::string, lowbit::FormatSpec> formatPlan() const;
    int plannedCount() const { return static_cast<int>(m_plan.size()); }
    /// Parameter-weighted average bits per weight of the planned tensors (0 when none).
    double plannedAverageBpw() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

signals:
    /// The planned format of these tensors (indices into Model::tensors()) changed.
    void formatsChanged(const QList<int> &tensorIndices);

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
    QVariant numericData(const lowbit::ModelTensor &tensor, int tensorIndex, int column) const;
    void emitRowChanged(int tensorIndex);
    double groupBpw(const Group &group) const;

    struct Measured { double relativeMse = 0, sqnrDb = 0; };
    struct PlanEntry {
        lowbit::FormatSpec spec;
        std::string key;   ///< describeSpec(spec): the error cache's key
        double bpw = 0;
    };

    std::shared_ptr<const lowbit::Model> m_model;
    std::vector<Group> m_groups;
    std::vector<std::pair<int, int>> m_location;             ///< tensor index → (group, row)
    std::map<int, PlanEntry> m_plan;                         ///< tensor index → planned format
    std::map<std::pair<int, std::string>, Measured> m_errors; ///< (tensor, format key) → error
};

} // namespace lowbit::studio
