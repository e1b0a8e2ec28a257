// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What the window shows with no model loaded: a centred call to action with "Open folder…" and
/// "Open file…" buttons and a hint about the supported model kinds.

#include <QWidget>

class QLabel;
class QPushButton;

namespace lowbit::studio {

class EmptyStateWidget : public QWidget {
    Q_OBJECT
public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);

    QPushButton *openFolderButton() const { return m_openFolder; }
    QPushButton *openFileButton() const { return m_openFile; }

signals:
    void openFolderRequested();
    void openFileRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();

    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    QPushButton *m_openFolder = nullptr;
    QPushButton *m_openFile = nullptr;
};

} // namespace lowbit::studio
