// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/json.h"

#include <QTest>

using namespace lowbit;

class TestJson : public QObject {
    Q_OBJECT
private slots:
    void roundTrip()
    {
        const std::string text = R"({"a":[1,-2,3.5,true,false,null],"b":{"c":"x\ny\u00e9"},"big":18446744073709551615})";
        auto j = parseJson(text);
        QVERIFY2(j.ok(), j.ok() ? "" : j.error().message().c_str());
        QCOMPARE(j->find("a")->size(), std::size_t(6));
        QCOMPARE(*j->find("a")->asArray()[1].asInt64(), std::int64_t(-2));
        QCOMPARE(j->find("a")->asArray()[2].asDouble(), 3.5);
        QCOMPARE(j->find("b")->find("c")->asString(), std::string("x\ny\xc3\xa9"));
        QCOMPARE(*j->find("big")->asUInt64(), std::uint64_t(18446744073709551615ull));
        auto again = parseJson(j->dump(2));
        QVERIFY(again.ok());
        QCOMPARE(again->dump(), j->dump());
    }
    void doublesRoundTripShortest()
    {
        for (double v : {0.1, 1e-5, 10000.0, 3.141592653589793, -2.5e300}) {
            auto j = parseJson(Json(v).dump());
            QVERIFY(j.ok());
            QCOMPARE(j->asDouble(), v);
        }
    }
    void surrogatePairs()
    {
        auto j = parseJson(R"("\ud83d\ude00")");
        QVERIFY(j.ok());
        QCOMPARE(j->asString(), std::string("\xF0\x9F\x98\x80"));
    }
    void rejects_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("needle");
        QTest::newRow("empty") << QByteArray("") << QByteArray("end of input");
        QTest::newRow("trailing") << QByteArray("{} x") << QByteArray("trailing");
        QTest::newRow("duplicate key") << QByteArray(R"({"a":1,"a":2})") << QByteArray("duplicate key");
        QTest::newRow("bad utf8") << QByteArray("\"\xff\xfe\"") << QByteArray("UTF-8");
        QTest::newRow("overlong utf8") << QByteArray("\"\xc0\xaf\"") << QByteArray("UTF-8");
        QTest::newRow("lone surrogate") << QByteArray(R"("\ud800")") << QByteArray("surrogate");
        QTest::newRow("leading zero") << QByteArray("01") << QByteArray("leading zero");
        QTest::newRow("unterminated") << QByteArray(R"({"a":[1,2)") << QByteArray("unterminated");
        QTest::newRow("control char") << QByteArray("\"a\x01\"") << QByteArray("control");
        QTest::newRow("deep nesting") << QByteArray(200, '[') << QByteArray("nesting");
        QTest::newRow("bare word") << QByteArray("nan") << QByteArray("unexpected character");
    }
    void rejects()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, needle);
        auto j = parseJson(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QVERIFY(!j.ok());
        QCOMPARE(j.error().code, ErrorCode::Malformed);
        QVERIFY2(j.error().detail.find(needle.toStdString()) != std::string::npos, j.error().detail.c_str());
    }
    void utf8Validator()
    {
        QVERIFY(isValidUtf8("plain"));
        QVERIFY(isValidUtf8("\xe2\x82\xac"));
        QVERIFY(!isValidUtf8("\xed\xa0\x80")); // encoded surrogate
        QVERIFY(!isValidUtf8("\xf4\x90\x80\x80")); // > U+10FFFF
        QVERIFY(!isValidUtf8("\xe2\x82")); // truncated
    }
};

QTEST_APPLESS_MAIN(TestJson)
#include "tst_json.moc"
