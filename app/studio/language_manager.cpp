// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/language_manager.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>

namespace lowbit::studio {

LanguageManager::LanguageManager(QObject *parent) : QObject(parent) {}

LanguageManager::~LanguageManager() { removeTranslators(); }

void LanguageManager::removeTranslators()
{
    if (m_appInstalled)
        QCoreApplication::removeTranslator(&m_appTranslator);
    if (m_qtInstalled)
        QCoreApplication::removeTranslator(&m_qtTranslator);
    m_appInstalled = m_qtInstalled = false;
}

bool LanguageManager::setLanguage(const QString &language)
{
    m_language = language;
    removeTranslators();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C)
        return true;
    // QTranslator::load(QLocale, ...) tries lowbit_de_DE, lowbit_de, ... in turn.
    if (m_appTranslator.load(locale, QStringLiteral("lowbit"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        m_appInstalled = QCoreApplication::installTranslator(&m_appTranslator);
    if (m_qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        m_qtInstalled = QCoreApplication::installTranslator(&m_qtTranslator);
    return m_appInstalled;
}

QStringList LanguageManager::availableLanguages()
{
    QStringList langs{QStringLiteral("en")};
    const QStringList files = QDir(QStringLiteral(":/i18n")).entryList({QStringLiteral("lowbit_*.qm")}, QDir::Files);
    for (const QString &f : files)
        langs << f.mid(7, f.size() - 7 - 3); // "lowbit_" .. ".qm"
    return langs;
}

} // namespace lowbit::studio
