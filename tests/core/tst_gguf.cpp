// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/blocks.h"
#include "core/dtypes/ggml_quants.h"
#include "core/io/convert_llama2c.h"
#include "core/io/gguf_reader.h"
#include "core/io/gguf_writer.h"
#include "core/model/model.h"

#include "gguf_fixture.h"
#include "stories_golden.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;

namespace {

/// A minimal GGUF image built field by field, for corrupting.
struct Builder {
    std::vector<std::byte> b;
    template <class T>
    Builder &put(T v)
    {
        const auto *p = reinterpret_cast<const std::byte *>(&v);
        b.insert(b.end(), p, p + sizeof v);
        return *this;
    }
    Builder &str(const std::string &s)
    {
        put<std::uint64_t>(s.size());
        for (char c : s)
            b.push_back(static_cast<std::byte>(c));
        return *this;
    }
    Builder &pad(std::size_t align)
    {
        b.resize((b.size() + align - 1) / align * align);
        return *this;
    }
    Builder &zeros(std::size_t n)
    {
        b.resize(b.size() + n);
        return *this;
    }
};

/// header with one u32 KV and one F32 tensor [ne0] at `offset`, followed by `data` bytes
Builder oneTensor(std::uint64_t ne0, std::uint64_t offset, std::size_t data, std::uint32_t type = 0, std::uint32_t nDims = 1)
{
    Builder g;
    g.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(1).put<std::uint64_t>(1);
    g.str("general.file_type").put<std::uint32_t>(4).put<std::uint32_t>(0);
    g.str("t").put<std::uint32_t>(nDims);
    for (std::uint32_t d = 0; d < nDims; ++d)
        g.put<std::uint64_t>(d == 0 ? ne0 : 1);
    g.put<std::uint32_t>(type).put<std::uint64_t>(offset);
    g.pad(32).zeros(data);
    return g;
}
} // namespace

class TestGguf : public QObject {
    Q_OBJECT
private slots:
    void metadataRoundTripEveryType()
    {
        GgufWriter w;
        GgufValue v;
        const GgufType scalarTypes[] = {GgufType::U8, GgufType::I8, GgufType::U16, GgufType::I16, GgufType::U32, GgufType::I32,
                                        GgufType::U64, GgufType::I64};
        for (GgufType t : scalarTypes) {
            GgufValue x;
            x.type = t;
            x.u = 200;
            x.i = -100;
            w.set("k.int" + std::to_string(int(t)), x);
        }
        w.set("k.f32", GgufValue::ofF32(1.5f));
        GgufValue f64;
        f64.type = GgufType::F64;
        f64.f = 1e-300;
        w.set("k.f64", f64);
        w.set("k.bool", GgufValue::ofBool(true));
        w.set("k.str", GgufValue::ofString("héllo"));
        w.set("k.strs", GgufValue::ofArray(GgufType::String, {GgufValue::ofString("a"), GgufValue::ofString("")}));
        w.set("k.nested", GgufValue::ofArray(GgufType::Array, {GgufValue::ofArray(GgufType::I32, {GgufValue::ofI32(-7)})}));
        auto img = w.serialize();
        QVERIFY(img.ok());
        auto h = parseGguf(*img, "mem.gguf");
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message().c_str());
        for (GgufType t : scalarTypes) {
            const GgufValue *x = ggufFind(h->kvs, "k.int" + std::to_string(int(t)));
            QVERIFY(x);
            QCOMPARE(x->type, t);
            const bool isSigned = t == GgufType::I8 || t == GgufType::I16 || t == GgufType::I32 || t == GgufType::I64;
            QCOMPARE(*x->asInt(), isSigned ? std::int64_t(-100) : std::int64_t(200));
        }
        QCOMPARE(ggufFind(h->kvs, "k.f32")->f, 1.5);
        QCOMPARE(ggufFind(h->kvs, "k.f64")->f, 1e-300);
        QCOMPARE(ggufFind(h->kvs, "k.bool")->u, std::uint64_t(1));
        QCOMPARE(ggufFind(h->kvs, "k.str")->s, std::string("héllo"));
        QCOMPARE(ggufFind(h->kvs, "k.strs")->array[1].s, std::string());
        QCOMPARE(ggufFind(h->kvs, "k.nested")->array[0].array[0].i, std::int64_t(-7));
    }
    void q8_0HandComputedBlock()
    {
        float x[32];
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16);
        BlockQ8_0 b{};
        quantizeQ8_0Ref(x, reinterpret_cast<std::byte *>(&b), 32);
        QCOMPARE(b.d, std::uint16_t(0x3008)); // fp16(16/127) = 0.1259765625
        QCOMPARE(int(b.qs[0]), -127);
        QCOMPARE(int(b.qs[1]), -119);
        QCOMPARE(int(b.qs[16]), 0);
        QCOMPARE(int(b.qs[31]), 119);
        float y[32];
        QVERIFY(convertToFloat(DType::Q8_0, reinterpret_cast<const std::byte *>(&b), y, 32).ok());
        QCOMPARE(y[0], -15.9990234375f);
    }
    void q4_0HandComputedBlock()
    {
        float x[32];
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16);
        BlockQ4_0 b{};
        quantizeQ4_0Ref(x, reinterpret_cast<std::byte *>(&b), 32);
        QCOMPARE(b.d, std::uint16_t(0x4000)); // d = -16 / -8 = 2
        QCOMPARE(int(b.qs[0]), 0x80);          // q0 = 0, q16 = 8
        QCOMPARE(int(b.qs[15]), 0xF8);         // q15 = 8, q31 = min(15, 16)
        float y[32];
        QVERIFY(convertToFloat(DType::Q4_0, reinterpret_cast<const std::byte *>(&b), y, 32).ok());
        QCOMPARE(y[0], -16.0f);
        QCOMPARE(y[31], 14.0f); // 15 clipped to the top code
    }
    void tensorsRoundTrip()
    {
        GgufWriter w(64);
        std::vector<float> a(64 * 3);
        for (std::size_t i = 0; i < a.size(); ++i)
            a[i] = float(i) * 0.25f;
        std::vector<std::byte> q(dtypeByteCount(DType::Q8_0, a.size()).value());
        quantizeQ8_0Ref(a.data(), q.data(), a.size());
        QVERIFY(w.addTensor("a", DType::F32, {3, 64}, std::as_bytes(std::span(a))).ok());
        QVERIFY(w.addTensor("b", DType::Q8_0, {3, 64}, q).ok());
        QVERIFY(!w.addTensor("c", DType::Q8_0, {3, 10}, q).ok()); // rows not whole blocks
        QVERIFY(!w.addTensor("a", DType::F32, {3, 64}, std::as_bytes(std::span(a))).ok());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/t.gguf";
        QVERIFY(w.write(path).ok());
        auto f = readGguf(path);
        QVERIFY2(f.ok(), f.ok() ? "" : f.error().message().c_str());
        QCOMPARE(f->header.alignment, 64u);
        QCOMPARE(f->tensors[0].shape, (std::vector<std::int64_t>{3, 64}));
        QCOMPARE(*f->tensors[0].toFloatVector(), a);
        const auto deq = *f->tensors[1].toFloatVector();
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY(std::fabs(deq[i] - a[i]) <= 47.75f / 127.0f); // half a step of the block's scale at most
        QVERIFY(!w.write(path, /*overwrite=*/false).ok());
    }
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needle");
        auto q = [](const Builder &g) { return QByteArray(reinterpret_cast<const char *>(g.b.data()), qsizetype(g.b.size())); };
        const Builder good = oneTensor(8, 0, 32);
        QVERIFY(parseGguf(good.b, "good.gguf").ok());
        QByteArray badMagic = q(good);
        badMagic[0] = 'X';
        QTest::newRow("wrong magic") << badMagic << int(ErrorCode::Malformed) << "magic";
        QByteArray v1 = q(good);
        v1[4] = 1;
        QTest::newRow("version 1") << v1 << int(ErrorCode::Unsupported) << "version 1";
        QTest::newRow("truncated in the header") << q(good).left(12) << int(ErrorCode::Truncated) << "tensor count";
        QTest::newRow("truncated in a key") << q(good).left(30) << int(ErrorCode::Truncated) << "metadata";
        QTest::newRow("truncated data") << q(good).left(q(good).size() - 8) << int(ErrorCode::Truncated) << "past the end";
        Builder hugeKv;
        hugeKv.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1ull << 60);
        QTest::newRow("huge kv count") << q(hugeKv) << int(ErrorCode::Truncated) << "metadata entries";
        Builder hugeT;
        hugeT.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(1ull << 60).put<std::uint64_t>(0);
        QTest::newRow("huge tensor count") << q(hugeT) << int(ErrorCode::Truncated) << "tensor infos";
        Builder badType;
        badType.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("k").put<std::uint32_t>(99);
        QTest::newRow("unknown value type") << q(badType) << int(ErrorCode::Malformed) << "unknown value type";
        Builder longStr;
        longStr.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("k").put<std::uint32_t>(8).put<std::uint64_t>(1ull << 40);
        QTest::newRow("string past the end") << q(longStr) << int(ErrorCode::Truncated) << "string";
        Builder hugeArr;
        hugeArr.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("k").put<std::uint32_t>(9).put<std::uint32_t>(4).put<std::uint64_t>(1ull << 61);
        QTest::newRow("array longer than the file") << q(hugeArr) << int(ErrorCode::Truncated) << "array";
        QTest::newRow("five dimensions") << q(oneTensor(8, 0, 32, 0, 5)) << int(ErrorCode::Malformed) << "dimensions";
        QTest::newRow("zero dimension") << q(oneTensor(0, 0, 32)) << int(ErrorCode::Malformed) << "dimension 0";
        Builder overflow;
        overflow.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(1).put<std::uint64_t>(0).str("t").put<std::uint32_t>(2)
            .put<std::uint64_t>(1ull << 40).put<std::uint64_t>(1ull << 40).put<std::uint32_t>(0).put<std::uint64_t>(0);
        QTest::newRow("dims overflow") << q(overflow) << int(ErrorCode::Malformed) << "overflows";
        QTest::newRow("unaligned offset") << q(oneTensor(8, 4, 64)) << int(ErrorCode::Malformed) << "alignment";
        QTest::newRow("unknown ggml type") << q(oneTensor(8, 0, 32, 77)) << int(ErrorCode::Unsupported) << "ggml type 77";
        QTest::newRow("row not whole blocks") << q(oneTensor(8, 0, 64, 8)) << int(ErrorCode::Malformed) << "blocks";
        Builder two;
        two.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(2).put<std::uint64_t>(0);
        two.str("a").put<std::uint32_t>(1).put<std::uint64_t>(16).put<std::uint32_t>(0).put<std::uint64_t>(0);
        two.str("b").put<std::uint32_t>(1).put<std::uint64_t>(16).put<std::uint32_t>(0).put<std::uint64_t>(32);
        two.pad(32).zeros(128);
        QTest::newRow("overlapping tensors") << q(two) << int(ErrorCode::Malformed) << "overlap";
        Builder dup;
        dup.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(2).put<std::uint64_t>(0);
        dup.str("a").put<std::uint32_t>(1).put<std::uint64_t>(8).put<std::uint32_t>(0).put<std::uint64_t>(0);
        dup.str("a").put<std::uint32_t>(1).put<std::uint64_t>(8).put<std::uint32_t>(0).put<std::uint64_t>(32);
        dup.pad(32).zeros(64);
        QTest::newRow("duplicate tensor name") << q(dup) << int(ErrorCode::Malformed) << "duplicate tensor";
        Builder badKey;
        badKey.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("k\xff").put<std::uint32_t>(4).put<std::uint32_t>(1);
        QTest::newRow("non-UTF-8 key") << q(badKey) << int(ErrorCode::Malformed) << "UTF-8";
        Builder badAlign;
        badAlign.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(24);
        QTest::newRow("alignment not a power of two") << q(badAlign) << int(ErrorCode::Malformed) << "power of two";
        Builder longName;
        longName.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(1).put<std::uint64_t>(0).str(std::string(65, 'n'))
            .put<std::uint32_t>(1).put<std::uint64_t>(8).put<std::uint32_t>(0).put<std::uint64_t>(0);
        QTest::newRow("name over 64 bytes") << q(longName) << int(ErrorCode::Malformed) << "64 bytes";
        Builder deep;
        deep.put<std::uint32_t>(kGgufMagic).put<std::uint32_t>(3).put<std::uint64_t>(0).put<std::uint64_t>(1).str("k").put<std::uint32_t>(9);
        for (int i = 0; i < 6; ++i)
            deep.put<std::uint32_t>(9).put<std::uint64_t>(1);
        QTest::newRow("arrays nested too deep") << q(deep) << int(ErrorCode::Malformed) << "nested";
    }
    void malformed()
    {
        QFETCH(QByteArray, file);
        QFETCH(int, code);
        QFETCH(QString, needle);
        auto h = parseGguf({reinterpret_cast<const std::byte *>(file.constData()), std::size_t(file.size())}, "bad.gguf");
        QVERIFY(!h.ok());
        QVERIFY2(int(h.error().code) == code, h.error().message().c_str());
        QVERIFY2(h.error().detail.find(needle.toStdString()) != std::string::npos, h.error().detail.c_str());
        QVERIFY(h.error().detail.find("bad.gguf") != std::string::npos);
    }
    void storiesAsGguf_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("f32") << int(DType::F32);
        QTest::newRow("f16") << int(DType::F16);
        QTest::newRow("q8_0") << int(DType::Q8_0);
        QTest::newRow("q4_0") << int(DType::Q4_0);
    }
    void storiesAsGguf()
    {
        QFETCH(int, type);
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto hf = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(hf.ok());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/stories.gguf";
        const Status st = lowbit::test::writeModelAsGguf(*hf, path, DType(type));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message().c_str());
        auto g = Model::open(path);
        QVERIFY2(g.ok(), g.ok() ? "" : g.error().message().c_str());
        const ModelConfig &c = g->config();
        lowbit::test::verifyStories260KConfig(*g);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(c.ropeLayout, RopeLayout::Interleaved);
        QCOMPARE(g->totalParams(), std::uint64_t(260032));
        // the GGUF's q, un-permuted, equals the HF q (exactly for f32, within the format otherwise)
        for (int layer : {0, 4}) {
            const auto gq = *g->find(TensorRole::Q, layer)->view.toFloatVector();
            const auto back = permuteInterleavedToHalfSplit(gq, c.numHeads, c.headDim, c.hiddenSize);
            const auto ref = *hf->find(TensorRole::Q, layer)->view.toFloatVector();
            double maxErr = 0;
            for (std::size_t i = 0; i < ref.size(); ++i)
                maxErr = std::max(maxErr, double(std::fabs(back[i] - ref[i])));
            const double tol = type == int(DType::F32) ? 0.0 : type == int(DType::F16) ? 1e-3 : type == int(DType::Q8_0) ? 0.02 : 0.25;
            QVERIFY2(maxErr <= tol, qPrintable(QString::number(maxErr)));
        }
    }
};

QTEST_APPLESS_MAIN(TestGguf)
#include "tst_gguf.moc"
