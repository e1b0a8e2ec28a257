// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/undo/set_format_command.h"

#include "app/studio/models/layer_tree_model.h"

namespace lowbit::studio {

SetFormatCommand::SetFormatCommand(LayerTreeModel *model, std::vector<int> tensorIndices,
                                   std::optional<FormatSpec> spec, const QString &text, QUndoCommand *parent)
    : QUndoCommand(text, parent), m_model(model)
{
    for (const int i : tensorIndices) {
        if (!model->isQuantizable(i))
            continue;
        m_before.emplace_back(i, model->tensorFormat(i));
        m_after.emplace_back(i, spec);
    }
    if (m_before.empty())
        setObsolete(true); // nothing to do: QUndoStack drops it
}

void SetFormatCommand::redo() { m_model->setTensorFormats(m_after); }

void SetFormatCommand::undo() { m_model->setTensorFormats(m_before); }

} // namespace lowbit::studio
