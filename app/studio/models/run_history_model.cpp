// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/models/run_history_model.h"

#include "app/studio/util/display_format.h"

#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QLocale>

namespace lowbit::studio {

RunHistoryModel::RunHistoryModel(QObject *parent) : QAbstractTableModel(parent)
{
    if (QCoreApplication *app = QCoreApplication::instance())
        app->installEventFilter(this);
}

void RunHistoryModel::addRun(RunRecord run)
{
    const int row = runCount();
    beginInsertRows({}, row, row);
    m_runs.push_back({std::move(run), true});
    endInsertRows();
    emit runsChanged();
}

void RunHistoryModel::removeRun(int row)
{
    if (row < 0 || row >= runCount())
        return;
    beginRemoveRows({}, row, row);
    m_runs.erase(m_runs.begin() + row);
    endRemoveRows();
    emit runsChanged();
}

void RunHistoryModel::clear()
{
    beginResetModel();
    m_runs.clear();
    endResetModel();
    emit runsChanged();
}

void RunHistoryModel::setChecked(int row, bool checked)
{
    if (row < 0 || row >= runCount() || m_runs[static_cast<std::size_t>(row)].checked == checked)
        return;
    m_runs[static_cast<std::size_t>(row)].checked = checked;
    emit dataChanged(index(row, NameColumn), index(row, NameColumn), {Qt::CheckStateRole});
    emit runsChanged();
}

std::vector<int> RunHistoryModel::checkedRuns() const
{
    std::vector<int> out;
    for (int i = 0; i < runCount(); ++i)
        if (m_runs[static_cast<std::size_t>(i)].checked)
            out.push_back(i);
    return out;
}

int RunHistoryModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : runCount(); }

int RunHistoryModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= runCount())
        return {};
    const Entry &e = m_runs[static_cast<std::size_t>(index.row())];
    const RunRecord &r = e.record;
    const QLocale loc;
    if (role == Qt::CheckStateRole && index.column() == NameColumn)
        return e.checked ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::TextAlignmentRole && index.column() >= BpwColumn && index.column() <= TimeColumn)
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    if (role == Qt::ToolTipRole && index.column() == OutputColumn)
        return QDir::toNativeSeparators(r.outputPath);
    if (role == Qt::ToolTipRole && index.column() == PerplexityColumn && r.hasPerplexity())
        return r.perplexityNote.isEmpty() ? tr("Measured on %1").arg(r.perplexityDevice)
                                          : tr("Measured on %1: the chosen device failed (%2)").arg(r.perplexityDevice, r.perplexityNote);
    if (role != Qt::DisplayRole && role != Qt::EditRole)
        return {};
    switch (index.column()) {
    case NameColumn: return r.name;
    case MethodColumn: return r.method;
    case BpwColumn: return loc.toString(r.averageBpw, 'f', 3);
    case MseColumn: return formatReal(r.relativeMse, 4);
    case ProxyColumn: return r.hasProxyError() ? formatReal(r.proxyError, 4) : QStringLiteral("—");
    case PerplexityColumn: return r.hasPerplexity() ? loc.toString(r.perplexity, 'f', 4) : QStringLiteral("—");
    case TimeColumn: return tr("%1 s").arg(loc.toString(r.seconds, 'f', 1));
    case OutputColumn: return QFileInfo(r.outputPath).fileName();
    default: return {};
    }
}

bool RunHistoryModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.row() >= runCount())
        return false;
    if (role == Qt::CheckStateRole && index.column() == NameColumn) {
        setChecked(index.row(), value.value<Qt::CheckState>() == Qt::Checked);
        return true;
    }
    if (role == Qt::EditRole && index.column() == NameColumn && !value.toString().trimmed().isEmpty()) {
        m_runs[static_cast<std::size_t>(index.row())].record.name = value.toString().trimmed();
        emit dataChanged(index, index);
        emit runsChanged();
        return true;
    }
    return false;
}

Qt::ItemFlags RunHistoryModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == NameColumn)
        f |= Qt::ItemIsUserCheckable | Qt::ItemIsEditable;
    return f;
}

QVariant RunHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Run");
    case MethodColumn: return tr("Method");
    case BpwColumn: return tr("Bits/weight");
    case MseColumn: return tr("Rel. MSE");
    case ProxyColumn: return tr("Proxy error");
    case PerplexityColumn: return tr("Perplexity");
    case TimeColumn: return tr("Time");
    case OutputColumn: return tr("Output");
    default: return {};
    }
}

bool RunHistoryModel::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance()) {
        emit headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
        if (!m_runs.empty())
            emit dataChanged(index(0, 0), index(runCount() - 1, ColumnCount - 1));
    }
    return QAbstractTableModel::eventFilter(watched, event);
}

} // namespace lowbit::studio
