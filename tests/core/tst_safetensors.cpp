// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"

#include "test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;

namespace {
/// A file image: u64 header length + header text + `dataBytes` zero bytes.
QByteArray image(const QByteArray &header, int dataBytes = 0, qint64 lengthOverride = -1)
{
    QByteArray out(8, '\0');
    const quint64 n = lengthOverride >= 0 ? quint64(lengthOverride) : quint64(header.size());
    std::memcpy(out.data(), &n, 8);
    out += header;
    out += QByteArray(dataBytes, '\0');
    return out;
}

std::span<const std::byte> bytes(const QByteArray &a) { return {reinterpret_cast<const std::byte *>(a.constData()), std::size_t(a.size())}; }

void writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}
} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private slots:
    void roundTripEveryDtype()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/x.safetensors")).toStdString();
        std::vector<float> f32 = {1.0f, -2.5f, NAN, INFINITY, 0.0f, 3.0f};
        std::vector<std::uint16_t> f16 = {0x3C00, 0xC000};
        std::vector<std::int64_t> i64 = {-1, 1ll << 40};
        std::vector<std::uint8_t> u8 = {1, 2, 3};
        std::vector<SafetensorsEntry> entries = {
            {"a.f32", DType::F32, {2, 3}, std::as_bytes(std::span(f32))},
            {"b.f16", DType::F16, {2}, std::as_bytes(std::span(f16))},
            {"c.bf16", DType::BF16, {1, 2}, std::as_bytes(std::span(f16))},
            {"d.i64", DType::I64, {2}, std::as_bytes(std::span(i64))},
            {"e.u8", DType::U8, {3}, std::as_bytes(std::span(u8))},
            {"f.empty", DType::F32, {0, 4}, {}},
            {"g.scalar", DType::U8, {}, std::as_bytes(std::span(u8).first(1))},
        };
        QVERIFY(writeSafetensors(path, entries, {{"format", "pt"}, {"note", "é"}}).ok());
        auto f = readSafetensors(path);
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        QCOMPARE(f->tensors.size(), entries.size());
        QCOMPARE(f->metadata.size(), std::size_t(2));
        QCOMPARE(f->metadata[1].second, std::string("é"));
        for (std::size_t i = 0; i < entries.size(); ++i) {
            QCOMPARE(f->tensors[i].name, entries[i].name);
            QCOMPARE(f->tensors[i].dtype, entries[i].dtype);
            QCOMPARE(f->tensors[i].shape, entries[i].shape);
            QCOMPARE(f->tensors[i].nbytes, std::uint64_t(entries[i].data.size()));
            QVERIFY(std::memcmp(f->tensors[i].data, entries[i].data.data(), entries[i].data.size()) == 0);
        }
        auto v = f->tensors[0].toFloatVector(); // NaN/Inf load fine
        QVERIFY(v.ok());
        QVERIFY(std::isnan((*v)[2]) && std::isinf((*v)[3]));
        QCOMPARE((*f->tensors[1].toFloatVector())[1], -2.0f);
    }
    void roundTripEachDtype_data()
    {
        QTest::addColumn<int>("dtype");
        int rows = 0;
        for (std::size_t i = 0; i < kDTypeCount; ++i) {
            const DType t = static_cast<DType>(i);
            if (dtypeTraits(t).safetensorsName.empty())
                continue;
            QTest::newRow(std::string(dtypeTraits(t).safetensorsName).c_str()) << int(i);
            ++rows;
        }
        QVERIFY(rows >= 15); // the 12 of the format plus U16/U32/U64
    }
    void roundTripEachDtype()
    {
        QFETCH(int, dtype);
        const DType t = static_cast<DType>(dtype);
        const std::vector<std::int64_t> shape = {3, 5};
        const auto nbytes = dtypeByteCount(t, 15);
        QVERIFY(nbytes.has_value());
        std::vector<std::byte> payload(*nbytes);
        std::uint32_t x = 0x9E3779B9u ^ std::uint32_t(dtype);
        for (auto &b : payload) {
            x = x * 1664525u + 1013904223u;
            b = std::byte(x >> 24);
        }
        std::vector<std::byte> pad(3, std::byte{0x5A});
        const std::vector<SafetensorsEntry> entries = {{"pad", DType::U8, {3}, pad}, {"w", t, shape, payload}};
        // bytes only
        auto image = serializeSafetensors(entries, {{"dtype", std::string(dtypeTraits(t).safetensorsName)}});
        QVERIFY(image.ok());
        auto h = parseSafetensorsHeader(*image, "mem.safetensors");
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message().c_str());
        QCOMPARE(h->tensors.size(), std::size_t(2));
        QCOMPARE(h->tensors[1].dtype, t);
        QCOMPARE(h->tensors[1].shape, shape);
        QCOMPARE(h->tensors[1].end - h->tensors[1].begin, *nbytes);
        QVERIFY(std::memcmp(image->data() + h->dataStart + h->tensors[1].begin, payload.data(), payload.size()) == 0);
        // through a mapped file: zero copy, views keep the mapping alive
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/d.safetensors")).toStdString();
        QVERIFY(writeSafetensors(path, entries, {{"dtype", std::string(dtypeTraits(t).safetensorsName)}}).ok());
        TensorView kept;
        {
            auto f = readSafetensors(path);
            QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
            QCOMPARE(f->path, path);
            QCOMPARE(f->dataStart, h->dataStart);
            QCOMPARE(f->metadata.size(), std::size_t(1));
            QCOMPARE(f->metadata[0].second, std::string(dtypeTraits(t).safetensorsName));
            const std::byte *lo = f->file->data(), *hi = lo + f->file->size();
            QVERIFY(f->tensors[1].data >= lo + f->dataStart && f->tensors[1].data + f->tensors[1].nbytes <= hi);
            QVERIFY(f->tensors[1].owner == f->file);
            kept = f->tensors[1];
        }
        QCOMPARE(kept.nbytes, std::uint64_t(payload.size()));
        QVERIFY(std::memcmp(kept.data, payload.data(), payload.size()) == 0);
    }
    void parseFromMapping()
    {
        QVERIFY(!parseSafetensors(nullptr).ok());
        QCOMPARE(parseSafetensors(nullptr).error().code, ErrorCode::InvalidArgument);
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/m.safetensors")).toStdString();
        std::vector<float> w = {1, 2, 3, 4};
        QVERIFY(writeSafetensors(path, {{"w", DType::F32, {2, 2}, std::as_bytes(std::span(w))}}).ok());
        auto mf = MappedFile::open(path);
        QVERIFY(mf.ok());
        auto f = parseSafetensors(*mf);
        QVERIFY(f.ok());
        QCOMPARE(f->path, path);
        QCOMPARE((*f->tensors[0].toFloatVector())[3], 4.0f);
        // a header with only metadata and no tensors is valid; so is an empty object
        auto onlyMeta = parseSafetensorsHeader(bytes(image(R"({"__metadata__":{"k":"v"}})")), "m.safetensors");
        QVERIFY(onlyMeta.ok() && onlyMeta->tensors.empty() && onlyMeta->metadata.size() == 1);
        QVERIFY(parseSafetensorsHeader(bytes(image("{}")), "e.safetensors").ok());
    }
    void nonFiniteWeightsLoad()
    {
        const std::vector<float> w = {NAN, -INFINITY, INFINITY, -0.0f, 1e-45f, 3.4e38f};
        auto img = serializeSafetensors({{"w", DType::F32, {6}, std::as_bytes(std::span(w))}});
        QVERIFY(img.ok());
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/nan.safetensors");
        writeFile(path, QByteArray(reinterpret_cast<const char *>(img->data()), qsizetype(img->size())));
        auto f = readSafetensors(path.toStdString());
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        auto v = f->tensors[0].toFloatVector();
        QVERIFY(v.ok());
        QVERIFY(std::isnan((*v)[0]));
        QVERIFY(std::isinf((*v)[1]) && (*v)[1] < 0);
        QVERIFY(std::isinf((*v)[2]) && (*v)[2] > 0);
        QCOMPARE((*v)[5], 3.4e38f);
    }
    void writerRejectsBadEntries()
    {
        std::vector<float> x(3);
        QVERIFY(!serializeSafetensors({{"a", DType::F32, {2}, std::as_bytes(std::span(x))}}).ok()); // 3 floats for shape [2]
        QVERIFY(!serializeSafetensors({{"a", DType::Q4_0, {32}, {}}}).ok());                        // not a safetensors dtype
        QVERIFY(!serializeSafetensors({{"a", DType::F32, {1}, std::as_bytes(std::span(x).first(1))},
                                       {"a", DType::F32, {1}, std::as_bytes(std::span(x).first(1))}}).ok()); // duplicate
    }
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needle");
        const QByteArray ok = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
        QTest::newRow("empty file") << QByteArray() << int(ErrorCode::Truncated) << "too short";
        QTest::newRow("shorter than 8 bytes") << QByteArray("abc") << int(ErrorCode::Truncated) << "too short";
        QTest::newRow("header longer than file") << image(ok, 8, 5000) << int(ErrorCode::Truncated) << "larger than the file";
        QTest::newRow("header over the bound") << image(ok, 8, qint64(1) << 40) << int(ErrorCode::Malformed) << "limit";
        QTest::newRow("header not JSON") << image("{not json", 0) << int(ErrorCode::Malformed) << "JSON";
        QTest::newRow("header not an object") << image("[1,2]", 0) << int(ErrorCode::Malformed) << "not a JSON object";
        QTest::newRow("data past the end") << image(ok, 4) << int(ErrorCode::Truncated) << "past the data section";
        QTest::newRow("overlapping tensors") << image(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)
                                            << int(ErrorCode::Malformed) << "overlap";
        QTest::newRow("byte count != shape") << image(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8) << int(ErrorCode::Malformed) << "needs 12";
        QTest::newRow("dims overflow") << image(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", 8)
                                      << int(ErrorCode::Malformed) << "overflows";
        QTest::newRow("negative dim") << image(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8) << int(ErrorCode::Malformed) << "non-negative";
        QTest::newRow("fractional dim") << image(R"({"t":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}})", 8) << int(ErrorCode::Malformed) << "non-negative";
        QTest::newRow("unknown dtype") << image(R"({"t":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}})", 8) << int(ErrorCode::Unsupported) << "unknown dtype";
        QTest::newRow("non-UTF-8 name") << image("{\"t\xff\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8) << int(ErrorCode::Malformed) << "UTF-8";
        QTest::newRow("duplicate names") << image(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)
                                        << int(ErrorCode::Malformed) << "duplicate";
        QTest::newRow("begin > end") << image(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", 8) << int(ErrorCode::Malformed) << "begin";
        QTest::newRow("metadata not string map") << image(R"({"__metadata__":{"a":1}})", 0) << int(ErrorCode::Malformed) << "not a string";
        QTest::newRow("missing data_offsets") << image(R"({"t":{"dtype":"F32","shape":[2]}})", 8) << int(ErrorCode::Malformed) << "data_offsets";
        QTest::newRow("extra field") << image(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", 8) << int(ErrorCode::Malformed) << "unexpected field";
        QTest::newRow("deep nesting") << image(QByteArray(100, '[') + QByteArray(100, ']'), 0) << int(ErrorCode::Malformed) << "nesting";
        QTest::newRow("rank over 8") << image(R"({"t":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}})", 1) << int(ErrorCode::Malformed) << "rank";
        QTest::newRow("empty header") << image("", 0) << int(ErrorCode::Malformed) << "header";
        QTest::newRow("entry not an object") << image(R"({"t":[1,2]})", 0) << int(ErrorCode::Malformed) << "not an object";
        QTest::newRow("dtype not a string") << image(R"({"t":{"dtype":7,"shape":[2],"data_offsets":[0,8]}})", 8) << int(ErrorCode::Malformed) << "dtype";
        QTest::newRow("shape not an array") << image(R"({"t":{"dtype":"F32","shape":2,"data_offsets":[0,8]}})", 8) << int(ErrorCode::Malformed) << "shape";
        QTest::newRow("three data_offsets") << image(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}})", 8) << int(ErrorCode::Malformed) << "[begin, end]";
        QTest::newRow("negative offset") << image(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8) << int(ErrorCode::Malformed) << "non-negative";
        QTest::newRow("metadata not an object") << image(R"({"__metadata__":["a"]})", 0) << int(ErrorCode::Malformed) << "__metadata__";
        QTest::newRow("metadata duplicate key") << image(R"({"__metadata__":{"a":"1","a":"2"}})", 0) << int(ErrorCode::Malformed) << "duplicate";
        QTest::newRow("lone surrogate in name") << image(R"({"t\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1) << int(ErrorCode::Malformed) << "surrogate";
        QTest::newRow("offset past u64 data") << image(R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551615]}})", 1)
                                             << int(ErrorCode::Truncated) << "past the data section";
        QTest::newRow("trailing garbage after JSON") << image(R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}} x)", 1) << int(ErrorCode::Malformed) << "header";
        QTest::newRow("empty name") << image(R"({"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", 1) << int(ErrorCode::Malformed) << "empty tensor name";
    }
    void malformed()
    {
        QFETCH(QByteArray, file);
        QFETCH(int, code);
        QFETCH(QString, needle);
        auto h = parseSafetensorsHeader(bytes(file), "bad.safetensors");
        QVERIFY(!h.ok());
        QCOMPARE(int(h.error().code), code);
        QVERIFY2(h.error().detail.find("bad.safetensors") != std::string::npos, h.error().detail.c_str());
        QVERIFY2(h.error().detail.find(needle.toStdString()) != std::string::npos, h.error().detail.c_str());
        // the same through a real file, via the mapping
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/bad.safetensors");
        writeFile(path, file);
        QVERIFY(!readSafetensors(path.toStdString()).ok());
    }
    void sharded()
    {
        QTemporaryDir dir;
        const QString d = dir.path();
        std::vector<float> a = {1, 2}, b = {3, 4, 5};
        QVERIFY(writeSafetensors((d + QStringLiteral("/s1.safetensors")).toStdString(), {{"a", DType::F32, {2}, std::as_bytes(std::span(a))}}).ok());
        QVERIFY(writeSafetensors((d + QStringLiteral("/s2.safetensors")).toStdString(), {{"b", DType::F32, {3}, std::as_bytes(std::span(b))}}).ok());
        const QString index = d + QStringLiteral("/model.safetensors.index.json");
        writeFile(index, R"({"metadata":{"total_size":20},"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}})");
        auto files = readShardedSafetensors(index.toStdString());
        QVERIFY2(files.ok(), files.ok() ? "" : files.error().message().c_str());
        QCOMPARE(files->size(), std::size_t(2));
        QCOMPARE((*(*files)[1].tensors[0].toFloatVector())[2], 5.0f);

        auto expectError = [&](const QByteArray &json, ErrorCode code, const char *needle) {
            writeFile(index, json);
            auto r = readShardedSafetensors(index.toStdString());
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, code);
            QVERIFY2(r.error().detail.find(needle) != std::string::npos, r.error().detail.c_str());
        };
        expectError(R"({"weight_map":{"a":"s2.safetensors","b":"s1.safetensors"}})", ErrorCode::Inconsistent, "assigns");
        expectError(R"({"weight_map":{"a":"s1.safetensors","b":"s2.safetensors","c":"s2.safetensors"}})", ErrorCode::Inconsistent, "'c' is not in its shard");
        expectError(R"({"weight_map":{"a":"../s1.safetensors"}})", ErrorCode::Malformed, "plain file name");
        expectError(R"({"weight_map":{"a":"s1.safetensors","z":"gone.safetensors"}})", ErrorCode::NotFound, "gone.safetensors");
        expectError(R"({"metadata":{}})", ErrorCode::Malformed, "weight_map");
        expectError(R"({"weight_map":{}})", ErrorCode::Malformed, "empty");
        expectError(R"([1])", ErrorCode::Malformed, "not a JSON object");
        expectError(R"({"metadata":3,"weight_map":{"a":"s1.safetensors"}})", ErrorCode::Malformed, "metadata");
        expectError(R"({"weight_map":{"a":".."}})", ErrorCode::Malformed, "plain file name");
        expectError(R"({"weight_map":{"a":"/etc/passwd"}})", ErrorCode::Malformed, "plain file name");
        expectError(R"({"weight_map":{"a":"s1.safetensors\u0000.txt"}})", ErrorCode::Malformed, "plain file name");
        expectError(R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})", ErrorCode::Inconsistent, "'b' is not in its shard");
        // the same tensor in two shards
        QVERIFY(writeSafetensors((d + QStringLiteral("/s3.safetensors")).toStdString(), {{"a", DType::F32, {2}, std::as_bytes(std::span(a))}}).ok());
        expectError(R"({"weight_map":{"a":"s1.safetensors","b":"s3.safetensors"}})", ErrorCode::Inconsistent, "'a'");
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
