// SPDX-License-Identifier: GPL-3.0-or-later
// The bit-budget view on stories260K: sensitivities measured off the GUI thread, the slider giving
// exact allocations that respect the budget with a monotone frontier, a per-layer chart, the
// measured loss of the allocated model next to the predicted one, cancellation and bad input.
#include "app/studio/main_window.h"
#include "app/studio/views/budget_view.h"

#include "core/model/model.h"

#include "test_support.h"

#include <QApplication>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace lowbit;
using lowbit::studio::BudgetView;

class TestBudgetView : public QObject {
    Q_OBJECT
    std::shared_ptr<const Model> m_model;
    QString m_text;

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        auto m = Model::open(test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        m_model = std::make_shared<const Model>(std::move(*m));
        m_text = QString::fromStdString(test::sharedPath("data/tinystories_valid_first1000.txt"));
    }

    void sliderGivesExactAllocationsWithinBudget()
    {
        BudgetView view;
        view.resize(1200, 700);
        view.setModel(m_model);
        QVERIFY(!view.slider()->isEnabled());
        QSignalSpy done(&view, &BudgetView::measureFinished);
        QVERIFY(view.startMeasure(m_text, QStringLiteral("int3,int4,int8"), QStringLiteral("rtn"), SensitivityMode::Nll, 2000, 400));
        QVERIFY(view.isBusy());
        view.waitForIdle();
        QCOMPARE(done.count(), 1);
        QVERIFY(view.slider()->isEnabled());
        QVERIFY(view.plan().has_value());
        QCOMPARE(view.layerBarCount(), 35);
        QVERIFY(view.frontierPointCount() >= 2);
        QVERIFY(view.minimumBpw() > 3.4 && view.minimumBpw() < 3.6);   // all int3 g32 fp16
        QVERIFY(view.maximumBpw() > 8.4 && view.maximumBpw() < 8.6);   // all int8

        double lastLoss = 1e300;
        for (const double b : {3.6, 4.0, 4.5, 5.5, 7.0, 8.5}) {
            view.setBudget(b);
            QVERIFY(view.plan().has_value());
            QVERIFY2(view.plan()->bpw() <= b + 1e-9, qPrintable(QString::number(view.plan()->bpw())));
            QVERIFY(view.plan()->predictedLoss() <= lastLoss + 1e-12); // more bits never predict more loss
            lastLoss = view.plan()->predictedLoss();
            QVERIFY(view.summaryText().contains(QString::number(view.plan()->bpw(), 'f', 4)));
        }
        // moving the slider by hand re-solves
        QSignalSpy changed(&view, &BudgetView::planChanged);
        view.slider()->setValue(100);
        QCOMPARE(changed.count(), 1);
        QVERIFY(view.plan()->bpw() <= view.budget() + 1e-9);

        // quantize at the current budget and measure: a finite measured increase next to the prediction
        view.setBudget(4.0);
        QSignalSpy checked(&view, &BudgetView::checkFinished);
        QVERIFY(view.startCheck());
        view.waitForIdle();
        QCOMPARE(checked.count(), 1);
        const double predicted = checked.first().at(0).toDouble(), measured = checked.first().at(1).toDouble();
        QVERIFY(std::isfinite(measured) && measured > 0);
        QVERIFY(predicted > 0);
        QVERIFY(view.measuredDeltaLoss().has_value());
        QVERIFY(view.summaryText().contains(QStringLiteral("measured")));

        QPixmap shot = view.grab();
        QVERIFY(!shot.isNull());
    }

    void mainWindowHasTheBudgetTab()
    {
        lowbit::studio::MainWindow w;
        w.showModel(m_model);
        QVERIFY(w.budgetView());
        QCOMPARE(lowbit::studio::MainWindow::viewFromName(QStringLiteral("budget")), lowbit::studio::MainWindow::View::Budget);
        w.setCurrentView(lowbit::studio::MainWindow::View::Budget);
        QCOMPARE(w.currentView(), lowbit::studio::MainWindow::View::Budget);
        QVERIFY(w.budgetView()->isVisibleTo(&w) || !w.isVisible());
        // the view got the model: measuring is possible
        QSignalSpy done(w.budgetView(), &BudgetView::measureFinished);
        QVERIFY(w.budgetView()->startMeasure(m_text, QStringLiteral("int4,int8"), QStringLiteral("rtn"), SensitivityMode::Proxy, 1000, 200));
        w.budgetView()->waitForIdle();
        QCOMPARE(done.count(), 1);
        QCOMPARE(w.budgetView()->layerBarCount(), 35);
    }

    void cancelAndBadInput()
    {
        BudgetView view;
        view.setModel(m_model);
        QSignalSpy failed(&view, &BudgetView::failed);
        QVERIFY(!view.startMeasure(m_text, QStringLiteral("int99"), QStringLiteral("rtn"), SensitivityMode::Nll));
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().at(0).toString().contains(QStringLiteral("int99")));
        QVERIFY(!view.startMeasure(QStringLiteral("/nonexistent/text.txt"), QStringLiteral("int4"), QStringLiteral("rtn"), SensitivityMode::Nll));
        QCOMPARE(failed.count(), 2);

        QVERIFY(view.startMeasure(m_text, QStringLiteral("int3,int4"), QStringLiteral("rtn"), SensitivityMode::Nll, 100000, 20000));
        view.cancel();
        view.waitForIdle();
        QVERIFY(!view.plan().has_value());
        QVERIFY(!view.slider()->isEnabled());
        QCOMPARE(failed.count(), 2); // a cancel is not a failure
        QVERIFY(!view.startCheck());  // nothing to check
    }
};

QTEST_MAIN(TestBudgetView)
#include "tst_budget_view.moc"
