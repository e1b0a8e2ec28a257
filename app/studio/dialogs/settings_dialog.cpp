// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/dialogs/settings_dialog.h"

#include "app/studio/language_manager.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/util/vulkan_devices.h"
#include "core/quant/format.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

namespace lowbit::studio {

SettingsDialog::SettingsDialog(QWidget *parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    m_threads = new QSpinBox(this);
    m_threads->setObjectName(QStringLiteral("threadsSpin"));
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setValue(Setting<int>(keys::kThreads, 0).value());
    m_device = new QComboBox(this);
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->setObjectName(QStringLiteral("deviceCombo"));
    m_device->setToolTip(tr("Where the Run panel generates and quantization runs measure perplexity; "
                            "a Vulkan device that fails leaves the work to the CPU"));
    for (const VulkanDeviceChoice &d : vulkanDeviceChoices())
        m_device->addItem(tr("Vulkan: %1").arg(d.name), d.id);
    m_device->setCurrentIndex(std::max(0, m_device->findData(Setting<QString>(keys::kDevice, QStringLiteral("cpu")).value())));
    m_format = new QLineEdit(Setting<QString>(keys::kDefaultFormat, QStringLiteral("int4")).value(), this);
    m_format->setObjectName(QStringLiteral("defaultFormatEdit"));
    m_format->setToolTip(tr("A format name as `lowbit formats` lists it, e.g. int4, nf4-asym, fp-e2m1, mxfp4"));
    m_group = new QComboBox(this);
    for (const qlonglong g : {16LL, 32LL, 64LL, 128LL, 256LL})
        m_group->addItem(QString::number(g), g);
    m_group->addItem(tr("per channel"), 0LL);
    m_group->setCurrentIndex(std::max(0, m_group->findData(Setting<qlonglong>(keys::kDefaultGroup, 32).value())));
    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("languageCombo"));
    m_language->addItem(tr("System default"), QString());
    for (const QString &code : LanguageManager::availableLanguages()) {
        QString name = QLocale(code).nativeLanguageName();
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        m_language->addItem(name.isEmpty() ? code : name, code);
    }
    m_language->setCurrentIndex(std::max(0, m_language->findData(Setting<QString>(keys::kLanguage, QString()).value())));
    m_problem = new QLabel(this);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problem->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Threads:"), m_threads);
    form->addRow(tr("Compute device:"), m_device);
    form->addRow(tr("Default format:"), m_format);
    form->addRow(tr("Default group size:"), m_group);
    form->addRow(tr("Language:"), m_language);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
}

QString SettingsDialog::language() const { return m_language->currentData().toString(); }

bool SettingsDialog::save()
{
    const QString name = m_format->text().trimmed();
    if (auto f = parseFormat(name.toStdString()); !f) {
        m_problem->setText(tr("Default format: %1").arg(QString::fromStdString(f.error().message())));
        return false;
    }
    m_problem->clear();
    Setting<int>(keys::kThreads, 0).setValue(m_threads->value());
    Setting<QString>(keys::kDevice, QStringLiteral("cpu")).setValue(m_device->currentData().toString());
    Setting<QString>(keys::kDefaultFormat, QStringLiteral("int4")).setValue(name);
    Setting<qlonglong>(keys::kDefaultGroup, 32).setValue(m_group->currentData().toLongLong());
    Setting<QString>(keys::kLanguage, QString()).setValue(language());
    return true;
}

void SettingsDialog::accept()
{
    if (save())
        QDialog::accept();
}

} // namespace lowbit::studio
