// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The one undoable edit of the format plan: give a set of tensors a format (or clear it).
/// redo/undo go through LayerTreeModel::setTensorFormats, so the tree and every view listening to
/// formatsChanged follow (Tiled's model-method commands).

#include "core/quant/format.h"

#include <QUndoCommand>

#include <optional>
#include <vector>

namespace lowbit::studio {

class LayerTreeModel;

class SetFormatCommand : public QUndoCommand {
public:
    /// `tensorIndices`: indices into Model::tensors() (non-quantizable ones are ignored);
    /// `spec`: the new format, nullopt to clear. `model` must outlive the command (the main window
    /// clears the undo stack before it replaces the model).
    SetFormatCommand(LayerTreeModel *model, std::vector<int> tensorIndices, std::optional<lowbit::FormatSpec> spec,
                     const QString &text, QUndoCommand *parent = nullptr);

    void redo() override;
    void undo() override;

    int tensorCount() const { return static_cast<int>(m_before.size()); }

private:
    LayerTreeModel *m_model;
    std::vector<std::pair<int, std::optional<lowbit::FormatSpec>>> m_before;
    std::vector<std::pair<int, std::optional<lowbit::FormatSpec>>> m_after;
};

} // namespace lowbit::studio
