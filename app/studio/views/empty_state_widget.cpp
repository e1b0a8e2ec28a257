// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/empty_state_widget.h"

#include "app/studio/util/app_icon.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace lowbit::studio {

EmptyStateWidget::EmptyStateWidget(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("emptyState"));
    auto *icon = new QLabel(this);
    icon->setPixmap(appIcon().pixmap(96, 96));
    icon->setAlignment(Qt::AlignCenter);

    m_title = new QLabel(this);
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.6);
    f.setBold(true);
    m_title->setFont(f);
    m_title->setAlignment(Qt::AlignCenter);

    m_hint = new QLabel(this);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setWordWrap(true);
    m_hint->setFixedWidth(560); // a word-wrapped label needs a width to wrap against

    m_openFolder = new QPushButton(this);
    m_openFolder->setObjectName(QStringLiteral("openFolderButton"));
    m_openFolder->setDefault(true);
    m_openFolder->setMinimumSize(150, 36);
    m_openFile = new QPushButton(this);
    m_openFile->setObjectName(QStringLiteral("openFileButton"));
    m_openFile->setMinimumSize(150, 36);
    connect(m_openFolder, &QPushButton::clicked, this, &EmptyStateWidget::openFolderRequested);
    connect(m_openFile, &QPushButton::clicked, this, &EmptyStateWidget::openFileRequested);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_openFolder);
    buttons->addWidget(m_openFile);
    buttons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(icon);
    layout->addSpacing(12);
    layout->addWidget(m_title);
    layout->addSpacing(8);
    layout->addWidget(m_hint, 0, Qt::AlignHCenter);
    layout->addSpacing(16);
    layout->addLayout(buttons);
    layout->addStretch(3);
    retranslateUi();
}

void EmptyStateWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void EmptyStateWidget::retranslateUi()
{
    m_title->setText(tr("Open a model"));
    m_hint->setText(tr("Open a Hugging Face folder (config.json with .safetensors shards), a .gguf file or a "
                       "llama2.c .bin checkpoint — or drop one onto this window."));
    // The centred (aligned) label gets its size hint, not its height-for-width: reserve the
    // wrapped height explicitly.
    m_hint->setMinimumHeight(m_hint->heightForWidth(m_hint->width()));
    m_openFolder->setText(tr("Open folder…"));
    m_openFile->setText(tr("Open file…"));
}

} // namespace lowbit::studio
