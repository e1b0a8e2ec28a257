// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/dtype.h"
#include "core/dtypes/scalar_convert.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;

class TestScalarConvert : public QObject {
    Q_OBJECT
private slots:
    void fp16AllCodesRoundTrip()
    {
        // Widening is exact, so narrowing the widened value must give the code back (NaNs aside).
        for (std::uint32_t c = 0; c < 65536; ++c) {
            const auto h = static_cast<std::uint16_t>(c);
            const float f = fp16ToFloat(h);
            if (std::isnan(f))
                continue;
            QCOMPARE(floatToFp16(f), h);
        }
        QCOMPARE(fp16ToFloat(0x3C00), 1.0f);
        QCOMPARE(fp16ToFloat(0x7BFF), 65504.0f);
        QCOMPARE(fp16ToFloat(0x0001), std::ldexp(1.0f, -24));
    }
    void fp16RoundsToNearestEven()
    {
        // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even (1.0).
        QCOMPARE(floatToFp16(1.0f + std::ldexp(1.0f, -11)), std::uint16_t(0x3C00));
        QCOMPARE(floatToFp16(1.0f + 3 * std::ldexp(1.0f, -11)), std::uint16_t(0x3C02));
        QCOMPARE(floatToFp16(65520.0f), std::uint16_t(0x7C00)); // overflow → Inf
        QCOMPARE(floatToFp16(65519.0f), std::uint16_t(0x7BFF));
        QCOMPARE(floatToFp16(std::ldexp(1.0f, -25)), std::uint16_t(0x0000)); // tie to even zero
        QCOMPARE(floatToFp16(std::ldexp(1.5f, -25)), std::uint16_t(0x0001));
    }
    void bf16()
    {
        for (std::uint32_t c = 0; c < 65536; ++c) {
            const float f = bf16ToFloat(static_cast<std::uint16_t>(c));
            if (!std::isnan(f))
                QCOMPARE(floatToBf16(f), static_cast<std::uint16_t>(c));
        }
        QCOMPARE(floatToBf16(1.0f + std::ldexp(1.0f, -8)), std::uint16_t(0x3F80)); // tie → even
    }
    void fp8e4m3()
    {
        QCOMPARE(fp8e4m3ToFloat(0x7E), 448.0f);
        QVERIFY(std::isnan(fp8e4m3ToFloat(0x7F)));
        QCOMPARE(fp8e4m3ToFloat(0x01), std::ldexp(1.0f, -9));
        QCOMPARE(fp8e4m3ToFloat(0x38), 1.0f);
        for (unsigned c = 0; c < 256; ++c) {
            const float f = fp8e4m3ToFloat(static_cast<std::uint8_t>(c));
            if (!std::isnan(f))
                QCOMPARE(unsigned(floatToFp8e4m3(f)), c);
        }
        QCOMPARE(floatToFp8e4m3(1000.0f), std::uint8_t(0x7E)); // saturates
        QCOMPARE(floatToFp8e4m3(-1000.0f), std::uint8_t(0xFE));
        QCOMPARE(floatToFp8e4m3(1.0625f), std::uint8_t(0x38)); // halfway 1 and 1.125 → even (1.0)
        QCOMPARE(floatToFp8e4m3(1.1875f), std::uint8_t(0x3A)); // halfway 1.125 and 1.25 → even (1.25)
    }
    void fp8e5m2()
    {
        QCOMPARE(fp8e5m2ToFloat(0x7B), 57344.0f);
        QVERIFY(std::isinf(fp8e5m2ToFloat(0x7C)));
        for (unsigned c = 0; c < 256; ++c) {
            const float f = fp8e5m2ToFloat(static_cast<std::uint8_t>(c));
            if (!std::isnan(f))
                QCOMPARE(unsigned(floatToFp8e5m2(f)), c);
        }
        // just above a tie must round up (no double rounding through fp16)
        const float tie = 1.125f; // between 1.0 (0x3C) and 1.25 (0x3D)
        QCOMPARE(floatToFp8e5m2(tie), std::uint8_t(0x3C));
        QCOMPARE(floatToFp8e5m2(std::nextafter(tie, 2.0f)), std::uint8_t(0x3D));
    }
    void dtypeTable()
    {
        QCOMPARE(dtypeFromSafetensorsName("BF16"), std::optional<DType>(DType::BF16));
        QCOMPARE(dtypeFromGgmlType(8), std::optional<DType>(DType::Q8_0));
        QCOMPARE(dtypeFromGgmlType(30), std::optional<DType>(DType::BF16));
        QVERIFY(!dtypeFromSafetensorsName("F128").has_value());
        QCOMPARE(*dtypeByteCount(DType::Q4_0, 64), std::uint64_t(36));
        QVERIFY(!dtypeByteCount(DType::Q4_0, 33).has_value());
        QVERIFY(!dtypeByteCount(DType::F64, std::uint64_t(1) << 62).has_value()); // overflow
        for (std::size_t i = 0; i < kDTypeCount; ++i)
            QVERIFY(!dtypeTraits(static_cast<DType>(i)).name.empty());
    }
    void integerConversions()
    {
        const std::int64_t v[3] = {-5, 0, 1 << 20};
        float out[3];
        QVERIFY(convertToFloat(DType::I64, reinterpret_cast<const std::byte *>(v), out, 3).ok());
        QCOMPARE(out[0], -5.0f);
        QCOMPARE(out[2], 1048576.0f);
        auto st = convertToFloat(DType::Q4_K, reinterpret_cast<const std::byte *>(v), out, 100); // not whole blocks
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestScalarConvert)
#include "tst_scalar_convert.moc"
