// SPDX-License-Identifier: GPL-3.0-or-later
// The bindings each shader may write, read off its SPIR-V (the recorder's barriers depend on it).
#include "gpu/pipeline/pipelines.h"
#include "gpu/pipeline/shader_registry.h"
#include "gpu/device/context.h"
#include "gpu/pipeline/spirv_shared.h"
#include "gpu/pipeline/spirv_writes.h"

#include <QTest>

#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;

class TestSpirvWrites : public QObject {
    Q_OBJECT

private slots:
    void everyShaderParsesAndWritesOnlyStorageBindings()
    {
        for (std::size_t i = 0; i < kShaderCount; ++i) {
            const auto id = static_cast<ShaderId>(i);
            const ShaderInfo &info = shaderInfo(id);
            const std::uint32_t mask = writtenBindings(shaderSpirv(id));
            const QString name = QString::fromLatin1(info.name.data(), qsizetype(info.name.size()));
            QVERIFY2(mask != ~0u, qPrintable(name + QStringLiteral(": not understood")));
            QVERIFY2(mask != 0, qPrintable(name + QStringLiteral(": writes nothing")));
            QVERIFY2(mask < (1u << info.bindings), qPrintable(name));
            for (std::uint32_t b = 0; b < info.bindings; ++b) {
                const VkDescriptorType t = bindingType(info, b);
                if (t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || t == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER)
                    QVERIFY2(!((mask >> b) & 1u), qPrintable(name + QStringLiteral(": a uniform binding written")));
            }
        }
    }
    /// The workgroup memory each kernel declares, read off its SPIR-V: every shader is understood
    /// and fits lavapipe's 32 KiB (so CI runs them all); the known sizes; a device with 16 KiB
    /// is told which kernel it cannot run.
    void workgroupMemoryOfEveryShader()
    {
        for (std::size_t i = 0; i < kShaderCount; ++i) {
            const auto id = static_cast<ShaderId>(i);
            const ShaderInfo &info = shaderInfo(id);
            const QString name = QString::fromLatin1(info.name.data(), qsizetype(info.name.size()));
            QVERIFY2(shaderWorkgroupBytes(id) <= 32768u, qPrintable(name + QStringLiteral(": %1 bytes").arg(shaderWorkgroupBytes(id))));
        }
        QCOMPARE(shaderWorkgroupBytes(ShaderId::add_f32), 0u);
        QCOMPARE(shaderWorkgroupBytes(ShaderId::matvec_f32_f32), 64u * 4u);
        QCOMPARE(shaderWorkgroupBytes(ShaderId::matmul_packed_tiled_b4), (64u * 64u + 64u * 32u) * 4u); // weight and x tiles
        QCOMPARE(shaderWorkgroupBytes(ShaderId::matmul_f32_f32_tiled), (64u * 64u + 64u * 32u) * 4u);
        QCOMPARE(shaderWorkgroupBytes(ShaderId::matvec_vq_v8), 16384u + 128u * 8u * 4u); // codebook and the tree's sums
        QCOMPARE(shaderWorkgroupBytes(ShaderId::matvec_vq_v0), 16384u + 128u * 16u * 4u);
        QCOMPARE(workgroupMemoryBytes(std::span<const std::uint32_t>()), ~0u); // not SPIR-V
        DeviceInfo small;
        small.name = "a small device";
        small.maxComputeSharedMemory = 16384;
        QVERIFY(sharedMemoryFits(ShaderId::add_f32, small));
        QVERIFY(!sharedMemoryFits(ShaderId::matmul_packed_tiled_b4, small));
        const Status st = checkSharedMemory(ShaderId::matvec_vq_v0, small);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, ErrorCode::Unsupported);
        QVERIFY(st.error().message().find("matvec_vq_v0") != std::string::npos);
        QVERIFY(st.error().message().find("16384") != std::string::npos);
    }
    void knownShadersWriteTheirOutputs()
    {
        // y += x writes y (binding 0) alone; a GEMV its y (binding 2); RoPE rotates in place;
        // attention writes its output (binding 3) and only reads q and the cache; a norm its y
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::add_f32)), 0b1u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::matvec_f32_f32)), 0b100u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::rope_f32)), 0b1u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::attention_f32)), 0b1000u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::kv_store_f16)), 0b10u);
        // the fused kernels: x += r and its norm y (bindings 0 and 2, not the weight or r); q and
        // k rotated (0 and 2, not the frequencies); both caches (1 and 3, not the sources)
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::add_rmsnorm_f32)), 0b101u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::rmsnorm_f32)), 0b100u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::rope_qk_f32)), 0b101u);
        QCOMPARE(writtenBindings(shaderSpirv(ShaderId::kv_store_kv_f16)), 0b1010u);
    }
    void malformedSpirvMeansEverything()
    {
        QCOMPARE(writtenBindings({}), ~0u);
        const auto words = shaderSpirv(ShaderId::add_f32);
        std::vector<std::uint32_t> bad(words.begin(), words.end());
        bad[0] = 0x12345678u; // not the magic number
        QCOMPARE(writtenBindings(bad), ~0u);
        std::vector<std::uint32_t> cut(words.begin(), words.end());
        cut[5] = (cut[5] & 0xFFFFu) | (0xFFFFu << 16); // an instruction running past the end
        QCOMPARE(writtenBindings(cut), ~0u);
        std::vector<std::uint32_t> zero(words.begin(), words.end());
        zero[5] &= 0xFFFFu; // a word count of zero
        QCOMPARE(writtenBindings(zero), ~0u);
    }
};

QTEST_APPLESS_MAIN(TestSpirvWrites)
#include "tst_spirv_writes.moc"
