// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit-studio [--lang LANG] [--select TENSOR] [MODEL]: without MODEL, opens
// $LOWBIT_SHARED_DIR/models/stories260K/hf when it exists, else starts empty.
// lowbit-studio --screenshot FILE [MODEL] [--view NAME] [--size WxH]: writes the window as a PNG and exits.
#include "app/studio/language_manager.h"
#include "app/studio/main_window.h"
#include "app/studio/screenshot.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/studio_resources.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

#include <cstdio>

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
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QApplication::translate("main", "Write the window to this PNG file and exit."),
                                              QStringLiteral("file"));
    const QCommandLineOption viewOption(QStringLiteral("view"),
                                        QApplication::translate("main", "View to show: tensor, distribution, errors, compare or run."),
                                        QStringLiteral("name"), QStringLiteral("tensor"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QApplication::translate("main", "Window size for --screenshot (WxH)."),
                                        QStringLiteral("size"), QStringLiteral("1600x1000"));
    parser.addOption(langOption);
    parser.addOption(selectOption);
    parser.addOption(screenshotOption);
    parser.addOption(viewOption);
    parser.addOption(sizeOption);
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

    QString model = parser.positionalArguments().value(0);
    if (model.isEmpty()) {
        const QString shared = qEnvironmentVariable("LOWBIT_SHARED_DIR");
        const QString fallback = shared + QStringLiteral("/models/stories260K/hf");
        if (!shared.isEmpty() && QFileInfo(fallback).isDir())
            model = fallback;
    }
    if (parser.isSet(screenshotOption)) {
        lowbit::studio::ScreenshotOptions o;
        o.file = parser.value(screenshotOption);
        o.model = model;
        o.view = parser.value(viewOption);
        o.tensor = parser.value(selectOption);
        const QStringList wh = parser.value(sizeOption).split(QLatin1Char('x'));
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
            o.size = QSize(wh[0].toInt(), wh[1].toInt());
        if (o.model.isEmpty()) {
            std::fprintf(stderr, "lowbit-studio: --screenshot needs a MODEL (or LOWBIT_SHARED_DIR)\n");
            return 2;
        }
        return lowbit::studio::takeScreenshot(window, o);
    }
    window.show();
    if (!model.isEmpty()) {
        window.openModel(model);
        if (parser.isSet(selectOption))
            window.selectTensor(parser.value(selectOption));
    }
    return QApplication::exec();
}
