// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Installs the Qt and the studio translators for one language. Installing sends
/// QEvent::LanguageChange to the application, on which widgets and models re-translate.

#include <QObject>
#include <QString>
#include <QTranslator>

namespace lowbit::studio {

class LanguageManager : public QObject {
    Q_OBJECT
public:
    explicit LanguageManager(QObject *parent = nullptr);
    ~LanguageManager() override;

    /// Switches to `language` ("de", "en_US", ...; empty = the system locale). Loads
    /// :/i18n/lowbit_<lang>.qm and Qt's own qtbase_<lang>.qm. Returns false (and leaves the UI in
    /// English) when the studio has no translation for it; English always succeeds.
    bool setLanguage(const QString &language);
    /// The language last asked for ("" = system locale).
    QString language() const { return m_language; }
    /// Languages with a compiled translation in the resources, plus "en".
    static QStringList availableLanguages();

private:
    void removeTranslators();

    QString m_language;
    QTranslator m_qtTranslator;
    QTranslator m_appTranslator;
    bool m_qtInstalled = false;
    bool m_appInstalled = false;
};

} // namespace lowbit::studio
