// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/models/layer_tree_model.h"

#include "app/studio/util/display_format.h"
#include "core/model/model.h"
#include "core/quant/quantized_tensor.h"

#include <QCoreApplication>
#include <QEvent>
#include <QLocale>

namespace lowbit::studio {
namespace {

// internalId 0 marks a group row; a tensor row stores its group's row + 1.
constexpr quintptr kGroupId = 0;

LayerTreeModel::GroupKind groupKindOf(const ModelTensor &t)
{
    if (t.layer >= 0)
        return LayerTreeModel::GroupKind::Layer;
    switch (t.role) {
    case TensorRole::Embedding: return LayerTreeModel::GroupKind::Embedding;
    case TensorRole::FinalNorm:
    case TensorRole::Output: return LayerTreeModel::GroupKind::Final;
    default: return LayerTreeModel::GroupKind::Other;
    }
}

} // namespace

LayerTreeModel::LayerTreeModel(QObject *parent) : QAbstractItemModel(parent)
{
    if (QCoreApplication *app = QCoreApplication::instance())
        app->installEventFilter(this);
}

LayerTreeModel::~LayerTreeModel() = default;

void LayerTreeModel::setModel(std::shared_ptr<const Model> model)
{
    beginResetModel();
    m_model = std::move(model);
    m_groups.clear();
    m_location.clear();
    m_plan.clear();
    m_errors.clear();
    if (m_model) {
        const auto &tensors = m_model->tensors();
        const int numLayers = static_cast<int>(std::max<std::int64_t>(0, m_model->config().numLayers));
        // Fixed order: Embedding, Layer 0..N-1, Final, Other. Empty groups other than the
        // layers are dropped below.
        m_groups.push_back({GroupKind::Embedding, -1, {}, 0});
        for (int l = 0; l < numLayers; ++l)
            m_groups.push_back({GroupKind::Layer, l, {}, 0});
        m_groups.push_back({GroupKind::Final, -1, {}, 0});
        m_groups.push_back({GroupKind::Other, -1, {}, 0});
        const std::size_t finalRow = m_groups.size() - 2, otherRow = m_groups.size() - 1;
        for (std::size_t i = 0; i < tensors.size(); ++i) {
            const ModelTensor &t = tensors[i];
            std::size_t g = otherRow;
            switch (groupKindOf(t)) {
            case GroupKind::Embedding: g = 0; break;
            case GroupKind::Layer: g = t.layer < numLayers ? static_cast<std::size_t>(t.layer) + 1 : otherRow; break;
            case GroupKind::Final: g = finalRow; break;
            case GroupKind::Other: g = otherRow; break;
            }
            m_groups[g].tensors.push_back(static_cast<int>(i));
            if (t.role != TensorRole::RopeFreqs)
                m_groups[g].params += t.view.numel();
        }
        std::erase_if(m_groups, [](const Group &g) { return g.kind != GroupKind::Layer && g.tensors.empty(); });
        m_location.assign(tensors.size(), {-1, -1});
        for (std::size_t g = 0; g < m_groups.size(); ++g)
            for (std::size_t r = 0; r < m_groups[g].tensors.size(); ++r)
                m_location[static_cast<std::size_t>(m_groups[g].tensors[r])] = {static_cast<int>(g), static_cast<int>(r)};
    }
    endResetModel();
}

const ModelTensor *LayerTreeModel::tensorAt(const QModelIndex &index) const
{
    if (!m_model || !index.isValid() || index.model() != this || index.internalId() == kGroupId)
        return nullptr;
    const std::size_t g = index.internalId() - 1;
    if (g >= m_groups.size() || index.row() < 0 || static_cast<std::size_t>(index.row()) >= m_groups[g].tensors.size())
        return nullptr;
    return &m_model->tensors()[static_cast<std::size_t>(m_groups[g].tensors[static_cast<std::size_t>(index.row())])];
}

QModelIndex LayerTreeModel::indexOfTensor(const QString &name) const
{
    if (!m_model)
        return {};
    const std::string wanted = name.toStdString();
    for (std::size_t g = 0; g < m_groups.size(); ++g)
        for (std::size_t r = 0; r < m_groups[g].tensors.size(); ++r)
            if (m_model->tensors()[static_cast<std::size_t>(m_groups[g].tensors[r])].view.name == wanted)
                return createIndex(static_cast<int>(r), 0, static_cast<quintptr>(g + 1));
    return {};
}

QModelIndex LayerTreeModel::indexOfTensorIndex(int tensorIndex) const
{
    if (tensorIndex < 0 || static_cast<std::size_t>(tensorIndex) >= m_location.size())
        return {};
    const auto [g, r] = m_location[static_cast<std::size_t>(tensorIndex)];
    return g < 0 ? QModelIndex() : createIndex(r, 0, static_cast<quintptr>(g) + 1);
}

bool LayerTreeModel::isQuantizable(int tensorIndex) const
{
    if (!m_model || tensorIndex < 0 || static_cast<std::size_t>(tensorIndex) >= m_model->tensors().size())
        return false;
    const ModelTensor &t = m_model->tensors()[static_cast<std::size_t>(tensorIndex)];
    if (t.view.shape.size() != 2 || t.view.isQuantizedByStudio())
        return false;
    return isLinearRole(t.role) || t.role == TensorRole::Embedding || t.role == TensorRole::Output;
}

std::vector<int> LayerTreeModel::quantizableTensors() const
{
    std::vector<int> out;
    if (!m_model)
        return out;
    for (int i = 0; i < static_cast<int>(m_model->tensors().size()); ++i)
        if (isQuantizable(i))
            out.push_back(i);
    return out;
}

void LayerTreeModel::emitRowChanged(int tensorIndex)
{
    const QModelIndex first = indexOfTensorIndex(tensorIndex);
    if (!first.isValid())
        return;
    emit dataChanged(first, first.siblingAtColumn(ColumnCount - 1));
    const QModelIndex group = parent(first);
    emit dataChanged(group, group.siblingAtColumn(ColumnCount - 1));
}

void LayerTreeModel::setTensorFormats(const std::vector<std::pair<int, std::optional<FormatSpec>>> &changes)
{
    QList<int> changed;
    for (const auto &[index, spec] : changes) {
        if (!isQuantizable(index))
            continue;
        if (spec) {
            const ModelTensor &t = m_model->tensors()[static_cast<std::size_t>(index)];
            m_plan[index] = {*spec, describeSpec(*spec), bitsPerWeight(*spec, t.view.rows(), t.view.cols()).total()};
        } else if (m_plan.erase(index) == 0) {
            continue;
        }
        changed << index;
    }
    for (const int i : changed)
        emitRowChanged(i);
    if (!changed.isEmpty())
        emit formatsChanged(changed);
}

std::optional<FormatSpec> LayerTreeModel::tensorFormat(int tensorIndex) const
{
    const auto it = m_plan.find(tensorIndex);
    return it == m_plan.end() ? std::nullopt : std::optional<FormatSpec>(it->second.spec);
}

void LayerTreeModel::setTensorError(int tensorIndex, const FormatSpec &spec, double relativeMse, double sqnrDb)
{
    if (!isQuantizable(tensorIndex))
        return;
    const std::string key = describeSpec(spec);
    m_errors[{tensorIndex, key}] = {relativeMse, sqnrDb};
    const auto it = m_plan.find(tensorIndex);
    if (it != m_plan.end() && it->second.key == key)
        emitRowChanged(tensorIndex);
}

std::optional<double> LayerTreeModel::tensorError(int tensorIndex) const
{
    const auto it = m_plan.find(tensorIndex);
    if (it == m_plan.end())
        return std::nullopt;
    const auto e = m_errors.find({tensorIndex, it->second.key});
    return e == m_errors.end() ? std::nullopt : std::optional<double>(e->second.relativeMse);
}

std::optional<std::pair<double, double>> LayerTreeModel::tensorMeasurement(int tensorIndex) const
{
    const auto it = m_plan.find(tensorIndex);
    if (it == m_plan.end())
        return std::nullopt;
    const auto e = m_errors.find({tensorIndex, it->second.key});
    if (e == m_errors.end())
        return std::nullopt;
    return std::pair{e->second.relativeMse, e->second.sqnrDb};
}

std::vector<int> LayerTreeModel::unmeasuredTensors() const
{
    std::vector<int> out;
    for (const auto &[index, entry] : m_plan)
        if (!m_errors.contains({index, entry.key}))
            out.push_back(index);
    return out;
}

std::map<std::string, FormatSpec> LayerTreeModel::formatPlan() const
{
    std::map<std::string, FormatSpec> plan;
    for (const auto &[index, entry] : m_plan)
        plan.emplace(m_model->tensors()[static_cast<std::size_t>(index)].view.name, entry.spec);
    return plan;
}

double LayerTreeModel::plannedAverageBpw() const
{
    double bits = 0, weights = 0;
    for (const auto &[index, entry] : m_plan) {
        const double n = static_cast<double>(m_model->tensors()[static_cast<std::size_t>(index)].view.numel());
        bits += entry.bpw * n;
        weights += n;
    }
    return weights > 0 ? bits / weights : 0.0;
}

double LayerTreeModel::groupBpw(const Group &group) const
{
    double bits = 0, weights = 0;
    for (const int i : group.tensors)
        if (const auto it = m_plan.find(i); it != m_plan.end()) {
            const double n = static_cast<double>(m_model->tensors()[static_cast<std::size_t>(i)].view.numel());
            bits += it->second.bpw * n;
            weights += n;
        }
    return weights > 0 ? bits / weights : 0.0;
}

QModelIndex LayerTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return static_cast<std::size_t>(row) < m_groups.size() ? createIndex(row, column, kGroupId) : QModelIndex();
    if (parent.internalId() != kGroupId || parent.row() < 0 || static_cast<std::size_t>(parent.row()) >= m_groups.size())
        return {};
    if (static_cast<std::size_t>(row) >= m_groups[static_cast<std::size_t>(parent.row())].tensors.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex LayerTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == kGroupId)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupId);
}

int LayerTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_groups.size());
    if (parent.column() != 0 || parent.internalId() != kGroupId || static_cast<std::size_t>(parent.row()) >= m_groups.size())
        return 0;
    return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].tensors.size());
}

int LayerTreeModel::columnCount(const QModelIndex &) const { return ColumnCount; }

QString LayerTreeModel::groupName(const Group &group) const
{
    switch (group.kind) {
    case GroupKind::Embedding: return tr("Embedding");
    case GroupKind::Layer: return tr("Layer %1").arg(group.layer);
    case GroupKind::Final: return tr("Final");
    case GroupKind::Other: return tr("Other");
    }
    return {};
}

QVariant LayerTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    if (index.internalId() == kGroupId) {
        if (static_cast<std::size_t>(index.row()) >= m_groups.size())
            return {};
        return groupData(m_groups[static_cast<std::size_t>(index.row())], index.row(), index.column(), role);
    }
    const ModelTensor *t = tensorAt(index);
    if (!t)
        return {};
    const std::size_t g = index.internalId() - 1;
    return tensorData(*t, m_groups[g].tensors[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant LayerTreeModel::groupData(const Group &group, int row, int column, int role) const
{
    switch (role) {
    case TensorIndexRole: return -1;
    case LayerRole: return group.layer;
    case IsGroupRole: return true;
    case SortRole:
        if (column == ParamsColumn)
            return QVariant::fromValue(static_cast<qulonglong>(group.params));
        if (column == BpwColumn)
            return groupBpw(group);
        return row; // groups keep their natural order (Layer 2 before Layer 10)
    case Qt::DisplayRole:
        if (column == NameColumn)
            return groupName(group);
        if (column == ParamsColumn)
            return formatCount(group.params);
        if (column == BpwColumn) {
            const double bpw = groupBpw(group);
            return bpw > 0 ? QLocale().toString(bpw, 'f', 3) : QVariant();
        }
        return {};
    case Qt::ToolTipRole:
        if (column == NameColumn)
            return tr("Tensors: %1 · parameters: %2").arg(group.tensors.size()).arg(formatCount(group.params));
        return {};
    case Qt::TextAlignmentRole:
        if (column == ParamsColumn || column == BpwColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    default: return {};
    }
}

QVariant LayerTreeModel::tensorData(const ModelTensor &t, int tensorIndex, int column, int role) const
{
    switch (role) {
    case TensorIndexRole: return tensorIndex;
    case LayerRole: return t.layer;
    case IsGroupRole: return false;
    case TensorNameRole: return QString::fromStdString(t.view.name);
    case SortRole:
        if (column == ParamsColumn)
            return QVariant::fromValue(static_cast<qulonglong>(t.view.numel()));
        if (column == ShapeColumn)
            return QVariant::fromValue(static_cast<qulonglong>(t.view.numel()));
        if (column == BpwColumn || column == ErrorColumn) {
            const QVariant v = numericData(t, tensorIndex, column);
            return v.isValid() ? v : QVariant(-1.0);
        }
        return tensorData(t, tensorIndex, column, Qt::DisplayRole);
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return QString::fromStdString(t.view.name);
        case RoleColumn: return QString::fromUtf8(tensorRoleName(t.role));
        case ShapeColumn: return formatShape(t.view.shape);
        case DTypeColumn: return QString::fromUtf8(dtypeName(t.view.dtype));
        case ParamsColumn: return formatCount(t.view.numel());
        case FormatColumn:
            if (const auto it = m_plan.find(tensorIndex); it != m_plan.end())
                return QString::fromStdString(it->second.key);
            if (t.view.decoder)
                return QString::fromStdString(t.view.decoder->describe());
            return {};
        case BpwColumn: {
            const QVariant v = numericData(t, tensorIndex, column);
            return v.isValid() ? QLocale().toString(v.toDouble(), 'f', 3) : QVariant();
        }
        case ErrorColumn: {
            const QVariant v = numericData(t, tensorIndex, column);
            return v.isValid() ? formatReal(v.toDouble(), 3) : QVariant();
        }
        default: return {};
        }
    case Qt::ToolTipRole:
        if (column == NameColumn)
            return QString::fromStdString(t.view.name);
        if (column == ErrorColumn) {
            const auto it = m_plan.find(tensorIndex);
            const auto e = it == m_plan.end() ? m_errors.end() : m_errors.find({tensorIndex, it->second.key});
            if (e != m_errors.end())
                return tr("Relative MSE %1 · SQNR %2 dB").arg(formatReal(e->second.relativeMse, 4), formatReal(e->second.sqnrDb, 4));
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == ParamsColumn || column == BpwColumn || column == ErrorColumn)
            return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
        return {};
    default: return {};
    }
}

QVariant LayerTreeModel::numericData(const ModelTensor &t, int tensorIndex, int column) const
{
    const auto it = m_plan.find(tensorIndex);
    if (column == BpwColumn) {
        if (it != m_plan.end())
            return it->second.bpw;
        if (t.view.decoder)
            return t.view.decoder->bitsPerWeight();
        return {};
    }
    if (column == ErrorColumn && it != m_plan.end())
        if (const auto e = m_errors.find({tensorIndex, it->second.key}); e != m_errors.end())
            return e->second.relativeMse;
    return {};
}

QVariant LayerTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Name");
    case RoleColumn: return tr("Role");
    case ShapeColumn: return tr("Shape");
    case DTypeColumn: return tr("DType");
    case ParamsColumn: return tr("Params");
    case FormatColumn: return tr("Format");
    case BpwColumn: return tr("Bits/weight");
    case ErrorColumn: return tr("Rel. MSE");
    default: return {};
    }
}

QHash<int, QByteArray> LayerTreeModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(TensorIndexRole, "tensorIndex");
    names.insert(LayerRole, "layer");
    names.insert(IsGroupRole, "isGroup");
    names.insert(SortRole, "sortKey");
    names.insert(TensorNameRole, "tensorName");
    return names;
}

bool LayerTreeModel::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
        if (!m_groups.empty())
            emit dataChanged(index(0, 0), index(static_cast<int>(m_groups.size()) - 1, ColumnCount - 1),
                             {Qt::DisplayRole, Qt::ToolTipRole});
    }
    return QAbstractItemModel::eventFilter(watched, event);
}

} // namespace lowbit::studio
