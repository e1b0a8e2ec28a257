// SPDX-License-Identifier: GPL-3.0-or-later
// ggml block dequantizers against blocks written by hand: each expected value below was worked
// out from the layout in ggml-common.h / formats.md, not by running the code under test.
#include "core/dtypes/blocks.h"
#include "core/dtypes/dtype.h"

#include <QTest>

#include <cstring>
#include <vector>

using namespace lowbit;

namespace {
template <class Block>
std::vector<float> decode(DType t, const Block &b)
{
    const auto n = dtypeTraits(t).blockSize;
    std::vector<float> y(n, -999.0f);
    const Status st = convertToFloat(t, reinterpret_cast<const std::byte *>(&b), y.data(), n);
    if (!st.ok())
        y.clear();
    return y;
}
constexpr std::uint16_t kHalf1 = 0x3C00, kHalf05 = 0x3800, kHalf025 = 0x3400, kHalf2 = 0x4000, kHalfM1 = 0xBC00;
} // namespace

class TestGgmlDequant : public QObject {
    Q_OBJECT
private slots:
    void sizesMatchTheTable()
    {
        QCOMPARE(dtypeTraits(DType::Q4_K).blockBytes, std::uint32_t(sizeof(BlockQ4_K)));
        QCOMPARE(dtypeTraits(DType::Q6_K).blockBytes, std::uint32_t(sizeof(BlockQ6_K)));
        QCOMPARE(dtypeTraits(DType::Q2_K).blockBytes, std::uint32_t(sizeof(BlockQ2_K)));
        QCOMPARE(dtypeTraits(DType::Q3_K).blockBytes, std::uint32_t(sizeof(BlockQ3_K)));
        QCOMPARE(dtypeTraits(DType::Q5_K).blockBytes, std::uint32_t(sizeof(BlockQ5_K)));
        QCOMPARE(dtypeTraits(DType::MXFP4).blockBytes, std::uint32_t(sizeof(BlockMXFP4)));
    }
    void q4_0()
    {
        BlockQ4_0 b{};
        b.d = kHalf025;
        b.qs[0] = 0x1F;
        const auto y = decode(DType::Q4_0, b);
        QCOMPARE(y[0], 1.75f);   // 0.25 * (15 - 8)
        QCOMPARE(y[16], -1.75f); // 0.25 * (1 - 8)
        QCOMPARE(y[1], -2.0f);   // 0.25 * (0 - 8)
    }
    void q4_1()
    {
        BlockQ4_1 b{};
        b.d = kHalf2;
        b.m = kHalfM1;
        b.qs[0] = 0x30;
        const auto y = decode(DType::Q4_1, b);
        QCOMPARE(y[0], -1.0f); // 2*0 - 1
        QCOMPARE(y[16], 5.0f); // 2*3 - 1
    }
    void q5_0()
    {
        BlockQ5_0 b{};
        b.d = kHalf1;
        const std::uint32_t qh = (1u << 0) | (1u << 16); // 5th bits of elements 0 and 16
        std::memcpy(b.qh, &qh, 4);
        b.qs[0] = 0x21;
        const auto y = decode(DType::Q5_0, b);
        QCOMPARE(y[0], 1.0f);   // (1|16) - 16
        QCOMPARE(y[16], 2.0f);  // (2|16) - 16
        QCOMPARE(y[1], -16.0f); // 0 - 16
    }
    void q5_1()
    {
        BlockQ5_1 b{};
        b.d = kHalf1;
        b.m = kHalf05;
        const std::uint32_t qh = 1u << 5;
        std::memcpy(b.qh, &qh, 4);
        b.qs[5] = 0x02;
        const auto y = decode(DType::Q5_1, b);
        QCOMPARE(y[5], 18.5f); // (2|16) + 0.5
        QCOMPARE(y[21], 0.5f);
    }
    void q8_0()
    {
        BlockQ8_0 b{};
        b.d = kHalf05;
        b.qs[3] = -7;
        const auto y = decode(DType::Q8_0, b);
        QCOMPARE(y[3], -3.5f);
        QCOMPARE(y[4], 0.0f);
    }
    void q4_K()
    {
        BlockQ4_K b{};
        b.d = kHalf1;
        b.dmin = kHalf05;
        const std::uint8_t sc[12] = {2, 3, 0x41, 4, 1, 0, 0x82, 0, 0x21, 0, 0x13, 0};
        std::memcpy(b.scales, sc, 12);
        // sub-block (scale, min): 0:(2,1) 1:(3,0) 2:(1,2) 3:(4,0) 4:(1,2) 5:(0,0) 6:(19,33) 7:(0,0)
        b.qs[0] = 0x5A;
        b.qs[64 + 3] = 0xF7;
        b.qs[96 + 31] = 0x0E;
        const auto y = decode(DType::Q4_K, b);
        QCOMPARE(y[0], 19.5f);   // 2*10 - 0.5*1
        QCOMPARE(y[32], 15.0f);  // 3*5
        QCOMPARE(y[131], 6.0f);  // 1*7 - 0.5*2
        QCOMPARE(y[163], 0.0f);  // scale 0
        QCOMPARE(y[223], 249.5f);// 19*14 - 0.5*33
        QCOMPARE(y[1], -0.5f);   // 0 - 0.5*1
        QCOMPARE(y[64], -1.0f);  // sub-block 2: 0 - 0.5*2
        QCOMPARE(y[192], -16.5f);// sub-block 6: 0 - 0.5*33
    }
    void q5_K()
    {
        BlockQ5_K b{};
        b.d = kHalf1;
        b.dmin = kHalf1;
        b.scales[0] = 3; // sub-block 0: scale 3
        b.scales[4] = 1; //              min 1
        b.scales[1] = 1; // sub-block 1: scale 1, min 0
        b.qs[0] = 0x21;
        b.qh[0] = 0x03; // high bit of element 0 (bit 0) and element 32 (bit 1)
        const auto y = decode(DType::Q5_K, b);
        QCOMPARE(y[0], 50.0f);  // 3*(1+16) - 1
        QCOMPARE(y[32], 18.0f); // 1*(2+16) - 0
        QCOMPARE(y[1], -1.0f);  // 3*0 - 1
    }
    void q6_K()
    {
        BlockQ6_K b{};
        b.d = kHalf05;
        b.scales[0] = 2;
        b.scales[2] = -3;
        b.scales[4] = 1;
        b.scales[7] = 5;
        b.scales[8] = 4;
        b.ql[0] = 0x3F;
        b.qh[0] = 0x93; // bits 0-1: 3, 2-3: 0, 4-5: 1, 6-7: 2
        b.ql[52] = 0x90;
        b.qh[20] = 0xC0;
        b.ql[64] = 0x01;
        b.qh[32] = 0x02;
        const auto y = decode(DType::Q6_K, b);
        QCOMPARE(y[0], 31.0f);   // 0.5*2*((15|48)-32)
        QCOMPARE(y[32], 48.0f);  // 0.5*(-3)*(0-32)
        QCOMPARE(y[64], -6.5f);  // 0.5*1*((3|16)-32)
        QCOMPARE(y[96], 0.0f);   // 0.5*scale[6]=0
        QCOMPARE(y[116], 62.5f); // 0.5*5*((9|48)-32)
        QCOMPARE(y[128], 2.0f);  // 0.5*4*((1|32)-32)
        QCOMPARE(y[1], -32.0f);  // 0.5*2*(0-32)
    }
    void q2_K()
    {
        BlockQ2_K b{};
        b.d = kHalf1;
        b.dmin = kHalf05;
        b.scales[0] = 0x23;
        b.scales[1] = 0x01;
        b.scales[2] = 0x05;
        b.scales[4] = 0x10;
        b.scales[6] = 0x02;
        b.qs[0] = 0xE4; // 2-bit fields from the LSB: 0, 1, 2, 3
        const auto y = decode(DType::Q2_K, b);
        QCOMPARE(y[0], -1.0f);  // 3*0 - 0.5*2
        QCOMPARE(y[16], 0.0f);  // scales[1]: 1*q[16]=0
        QCOMPARE(y[32], 5.0f);  // 5*1
        QCOMPARE(y[64], -0.5f); // 0*2 - 0.5*1
        QCOMPARE(y[96], 6.0f);  // 2*3
    }
    void q3_K()
    {
        BlockQ3_K b{};
        b.d = kHalf1;
        // all 16 scales 32 (factor 0): low nibbles 0, high bit pairs 0b10 in bytes 8..11
        std::uint8_t sc[12] = {0x01 | 0xF0, 0x02, 0, 0, 0, 0, 0, 0, 0x9A, 0xAA, 0xAA, 0xAA};
        // scale 0 = 33 (factor 1), scale 1 = 34 (factor 2), scale 8 = 0x1F | (0b01 << 4) = 31 (factor −1)
        std::memcpy(b.scales, sc, 12);
        b.qs[0] = 0x03;
        b.hmask[0] = 0x11; // element 0 (mask 1) and element 128 (mask 16) have the high bit
        b.qs[1] = 0x01;
        b.qs[16] = 0x02;
        b.hmask[16] = 0x01;
        b.qs[32] = 0x02;
        const auto y = decode(DType::Q3_K, b);
        QCOMPARE(y[0], 3.0f);   // 1*(3-0)
        QCOMPARE(y[1], -3.0f);  // 1*(1-4)
        QCOMPARE(y[2], -4.0f);  // 1*(0-4)
        QCOMPARE(y[16], 4.0f);  // 2*(2-0)
        QCOMPARE(y[17], -8.0f); // 2*(0-4)
        QCOMPARE(y[32], 0.0f);  // factor 0
        QCOMPARE(y[128], -2.0f);// -1*(2-0)
        QCOMPARE(y[129], 4.0f); // -1*(0-4)
    }
    void iq4_nl()
    {
        BlockIQ4_NL b{};
        b.d = kHalf05;
        b.qs[0] = 0xF0;
        const auto y = decode(DType::IQ4_NL, b);
        QCOMPARE(y[0], -63.5f);
        QCOMPARE(y[16], 56.5f);
    }
    void mxfp4()
    {
        BlockMXFP4 b{};
        b.e = 128; // 2^(128-127) = 2 on the E2M1 grid, 1 on the doubled one
        b.qs[0] = 0x97;
        const auto y = decode(DType::MXFP4, b);
        QCOMPARE(y[0], 12.0f);  // E2M1 6.0 × 2
        QCOMPARE(y[16], -1.0f); // E2M1 −0.5 × 2
    }
};

QTEST_APPLESS_MAIN(TestGgmlDequant)
#include "tst_ggml_dequant.moc"
