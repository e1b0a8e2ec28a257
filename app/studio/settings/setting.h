// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A typed value in the studio's one QSettings store (qBittorrent's SettingValue, Tiled's
/// SessionOption): `Setting<int> s{keys::kFoo, 3}; s.value(); s.setValue(4);`.

#include <QSettings>
#include <QString>
#include <QVariant>

namespace lowbit::studio {

/// The application's settings store (QSettings with the organisation and application names of
/// QCoreApplication, created on first use). Lives until the process ends; not thread-safe: use it
/// from the GUI thread only.
QSettings &settingsStore();

template <class T>
class Setting {
public:
    /// `key` is one of the constants in settings_keys.h; `defaultValue` is returned while the
    /// store holds no value (or one that does not convert to T).
    Setting(QString key, T defaultValue) : m_key(std::move(key)), m_default(std::move(defaultValue)) {}

    const QString &key() const { return m_key; }
    const T &defaultValue() const { return m_default; }

    T value() const
    {
        const QVariant v = settingsStore().value(m_key);
        if (!v.isValid() || !v.canConvert<T>())
            return m_default;
        return v.value<T>();
    }
    void setValue(const T &value) { settingsStore().setValue(m_key, QVariant::fromValue(value)); }
    /// Forgets the stored value, so value() returns the default again.
    void reset() { settingsStore().remove(m_key); }

private:
    QString m_key;
    T m_default;
};

} // namespace lowbit::studio
