// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit-studio [--lang LANG] [--select TENSOR] [MODEL]: without MODEL, opens
// $LOWBIT_SHARED_DIR/models/stories260K/hf when it exists, else starts empty.
#include "app/studio/language_manager.h"
#include "app/studio/main_window.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/studio_resources.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Lowbit"));
    QApplication::setApplicationName(QStringLiteral("Lowbit Studio"));
    QApplication::setApplicationVersion(QStringLiteral(LOWBIT_VERSION));
    lowbit::studio::initStudioResources();

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Low-bit quantization studio for LLMs"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption langOption(QStringLiteral("lang"),
                                        QApplication::translate("main", "User interface language (e.g. de, en)."),
                                        QStringLiteral("lang"));
    const QCommandLineOption selectOption(QStringLiteral("select"),
                                          QApplication::translate("main", "Select this tensor once the model is loaded."),
                                          QStringLiteral("tensor"));
    parser.addOption(langOption);
    parser.addOption(selectOption);
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QApplication::translate("main", "Model folder or file (.gguf, .safetensors, .bin)."));
    parser.process(app);

    lowbit::studio::LanguageManager languages;
    const QString lang = parser.isSet(langOption)
        ? parser.value(langOption)
        : lowbit::studio::Setting<QString>(lowbit::studio::keys::kLanguage, QString()).value();
    languages.setLanguage(lang);

    lowbit::studio::MainWindow window;
    window.setLanguageManager(&languages);
    window.show();

    QString model = parser.positionalArguments().value(0);
    if (model.isEmpty()) {
        const QString shared = qEnvironmentVariable("LOWBIT_SHARED_DIR");
        const QString fallback = shared + QStringLiteral("/models/stories260K/hf");
        if (!shared.isEmpty() && QFileInfo(fallback).isDir())
            model = fallback;
    }
    if (!model.isEmpty()) {
        window.openModel(model);
        if (parser.isSet(selectOption))
            window.selectTensor(parser.value(selectOption));
    }
    return QApplication::exec();
}
