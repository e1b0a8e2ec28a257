// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The run history: one row per finished quantization (RunRecord), newest last, with a check box
/// per row choosing the runs the compare view shows (new runs start checked). Every mutation goes
/// through addRun/removeRun/setChecked, which emit the model signals.

#include "app/studio/jobs/run_record.h"

#include <QAbstractTableModel>

#include <vector>

namespace lowbit::studio {

class RunHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, MethodColumn, BpwColumn, MseColumn, ProxyColumn, PerplexityColumn, TimeColumn, OutputColumn, ColumnCount };

    explicit RunHistoryModel(QObject *parent = nullptr);

    void addRun(RunRecord run);
    void removeRun(int row);
    void clear();
    const RunRecord &run(int row) const { return m_runs.at(static_cast<std::size_t>(row)).record; }
    int runCount() const { return static_cast<int>(m_runs.size()); }
    bool isChecked(int row) const { return m_runs.at(static_cast<std::size_t>(row)).checked; }
    void setChecked(int row, bool checked);
    /// Rows of the checked runs, ascending.
    std::vector<int> checkedRuns() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    /// A run was added, removed, renamed or (un)checked.
    void runsChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Entry {
        RunRecord record;
        bool checked = true;
    };
    std::vector<Entry> m_runs;
};

} // namespace lowbit::studio
