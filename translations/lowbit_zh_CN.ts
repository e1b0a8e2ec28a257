<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChartExport</name>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="20"/>
        <source>Nothing to export</source>
        <translation>没有可导出的内容</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="30"/>
        <location filename="../app/studio/util/chart_export.cpp" line="34"/>
        <location filename="../app/studio/util/chart_export.cpp" line="43"/>
        <location filename="../app/studio/util/chart_export.cpp" line="53"/>
        <source>Cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="60"/>
        <location filename="../app/studio/util/chart_export.cpp" line="66"/>
        <source>Export Chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="61"/>
        <source>PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG 图像 (*.png);;SVG 图像 (*.svg);;PDF 文档 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>DisplayFormat</name>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="52"/>
        <source>%1 layers</source>
        <translation>%1 层</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="53"/>
        <source>dim %1</source>
        <translation>维度 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="54"/>
        <source>%1/%2 heads</source>
        <translation>%1/%2 个头</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="55"/>
        <source>ffn %1</source>
        <translation>FFN %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="56"/>
        <source>vocab %1</source>
        <translation>词表 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="58"/>
        <source>ctx %1</source>
        <translation>上下文 %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::BudgetView</name>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="179"/>
        <location filename="../app/studio/views/budget_view.cpp" line="209"/>
        <source>Calibration text</source>
        <translation>校准文本</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="180"/>
        <source>a text file: documents separated by &lt;|endoftext|&gt;</source>
        <translation>文本文件：文档之间以 &lt;|endoftext|&gt; 分隔</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="181"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="182"/>
        <source>Format menu</source>
        <translation>格式菜单</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="183"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="184"/>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="185"/>
        <source>Measure sensitivities</source>
        <translation>测量敏感度</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="186"/>
        <source>Quantize and measure</source>
        <translation>量化并测量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="187"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="188"/>
        <source>Predicted loss increase vs bits per weight (exact optimum per budget)</source>
        <translation>预测损失增量与每权重比特数（每个预算的精确最优）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="189"/>
        <source>frontier</source>
        <translation>前沿</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="190"/>
        <source>this budget</source>
        <translation>当前预算</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="191"/>
        <source>measured</source>
        <translation>实测</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="192"/>
        <source>Bits per weight chosen for each layer</source>
        <translation>每层选定的每权重比特数</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="193"/>
        <location filename="../app/studio/views/budget_view.cpp" line="472"/>
        <source>Budget %1 bpw</source>
        <translation>预算 %1 比特/权重</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="193"/>
        <source>Budget</source>
        <translation>预算</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="195"/>
        <source>Measure the sensitivities of the open model to a menu of formats; then drag the budget.</source>
        <translation>测量已打开模型对一组格式的敏感度，然后拖动预算。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="209"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>文本文件 (*.txt *.raw);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="275"/>
        <location filename="../app/studio/views/budget_view.cpp" line="309"/>
        <source>Calibrating</source>
        <translation>正在校准</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="292"/>
        <source>Measuring</source>
        <translation>正在测量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="329"/>
        <location filename="../app/studio/views/budget_view.cpp" line="366"/>
        <source>Quantizing</source>
        <translation>正在量化</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="343"/>
        <source>Evaluating</source>
        <translation>正在评估</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="411"/>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="488"/>
        <source>%1 tensors at %2 bpw (budget %3): predicted %4 increase %5</source>
        <translation>%1 个张量，%2 比特/权重（预算 %3）：预测 %4 增量 %5</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="495"/>
        <source> (perplexity %1 → %2 predicted)</source>
        <translation>（困惑度 %1 → 预测 %2）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="499"/>
        <source>; measured at the last check: %1 (perplexity %2)</source>
        <translation>；上次检查实测：%1（困惑度 %2）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="537"/>
        <location filename="../app/studio/views/budget_view.cpp" line="570"/>
        <source>bits per weight</source>
        <translation>每权重比特数</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="540"/>
        <source>predicted increase</source>
        <translation>预测增量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="552"/>
        <source>bpw</source>
        <translation>比特/权重</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ChannelChart</name>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="75"/>
        <source>|w| per element</source>
        <translation>每个元素的 |w|</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="75"/>
        <source>Absmax per output channel</source>
        <translation>每个输出通道的绝对值最大值</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="83"/>
        <source>|w|</source>
        <translation>|w|</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="83"/>
        <source>channel absmax</source>
        <translation>通道绝对值最大值</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="99"/>
        <source>outliers (&gt; %1× median)</source>
        <translation>离群值（&gt; 中位数的 %1 倍）</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="116"/>
        <source>element</source>
        <translation>元素</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="116"/>
        <source>output channel</source>
        <translation>输出通道</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="121"/>
        <source>absmax</source>
        <translation>绝对值最大值</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::CompareView</name>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="155"/>
        <source>Error measure:</source>
        <translation>误差度量：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="156"/>
        <source>Relative MSE (weights)</source>
        <translation>相对 MSE（权重）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="157"/>
        <source>Proxy error (needs calibration)</source>
        <translation>代理误差（需要校准）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="158"/>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="159"/>
        <source>Export Pareto chart…</source>
        <translation>导出帕累托图…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="160"/>
        <source>Export layer chart…</source>
        <translation>导出逐层图…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="161"/>
        <source>Remove run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="170"/>
        <source>No runs yet: quantize the model (Quantize ▸ Quantize Model…) to compare runs here.</source>
        <translation>尚无运行：先量化模型（量化 ▸ 量化模型…），再在此比较运行。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/compare_view.cpp" line="171"/>
        <source>%n run(s) in the history; tick a run in the table to compare it.</source>
        <translation>
            <numerusform>历史中有 %n 次运行；在表格中勾选运行即可比较。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="178"/>
        <source>Bits per weight vs error (Pareto front dashed)</source>
        <translation>每权重比特数与误差（虚线为帕累托前沿）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="202"/>
        <source>bits per weight</source>
        <translation>每权重比特数</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <location filename="../app/studio/views/compare_view.cpp" line="297"/>
        <source>relative MSE</source>
        <translation>相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <location filename="../app/studio/views/compare_view.cpp" line="297"/>
        <source>proxy error</source>
        <translation>代理误差</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <source>perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="227"/>
        <source>Pareto front</source>
        <translation>帕累托前沿</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="260"/>
        <source>Proxy error per layer</source>
        <translation>逐层代理误差</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="260"/>
        <source>Relative MSE per layer</source>
        <translation>逐层相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="273"/>
        <source>emb/out</source>
        <translation>嵌入/输出</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="291"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::DistributionChart</name>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="89"/>
        <source>Weights, dequantized weights and grid levels</source>
        <translation>权重、反量化权重与网格取值</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="108"/>
        <source>weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="116"/>
        <source>dequantized</source>
        <translation>反量化</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="127"/>
        <source>grid levels (median group&apos;s scale)</source>
        <translation>网格取值（中位组的缩放）</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="145"/>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="162"/>
        <source>count (log)</source>
        <translation>计数（对数）</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="162"/>
        <source>count</source>
        <translation>计数</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::DistributionView</name>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="78"/>
        <source>Log count axis</source>
        <translation>对数计数轴</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="79"/>
        <source>Export chart…</source>
        <translation>导出图表…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="87"/>
        <source>Select a tensor in the tree; the format designer&apos;s format is drawn over its weights.</source>
        <translation>在树中选择一个张量；格式设计器的格式会叠加在其权重上。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="94"/>
        <source>%1 — the designer&apos;s format is not valid.</source>
        <translation>%1 — 设计器的格式无效。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="100"/>
        <source>%1 — measuring…</source>
        <translation>%1 — 测量中…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="104"/>
        <source>%1 — cannot measure %2: %3</source>
        <translation>%1 — 无法测量 %2：%3</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="110"/>
        <source>&lt;b&gt;%1&lt;/b&gt; as &lt;b&gt;%2&lt;/b&gt;: relative MSE %3, SQNR %4 dB, %5 bits/weight.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; 采用 &lt;b&gt;%2&lt;/b&gt;：相对 MSE %3，SQNR %4 dB，%5 比特/权重。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="114"/>
        <source>Measured on %1 of %2 rows (counts scaled to the whole tensor).</source>
        <translation>在 %2 行中的 %1 行上测量（计数按整个张量缩放）。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/distribution_view.cpp" line="117"/>
        <source>Grid: %n level(s) at the median group&apos;s scale %1.</source>
        <translation>
            <numerusform>网格：%n 个取值，采用中位组的缩放 %1。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lowbit::studio::EmptyStateWidget</name>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="71"/>
        <source>Open a model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="72"/>
        <source>Open a Hugging Face folder (config.json with .safetensors shards), a .gguf file or a llama2.c .bin checkpoint — or drop one onto this window.</source>
        <translation>打开 Hugging Face 文件夹（含 config.json 与 .safetensors 分片）、.gguf 文件或 llama2.c .bin 检查点——或将其拖放到此窗口。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="77"/>
        <source>Open folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="78"/>
        <source>Open file…</source>
        <translation>打开文件…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ErrorHeatMap</name>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="72"/>
        <source>No error map: select a tensor and a format</source>
        <translation>无误差图：请选择张量和格式</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="76"/>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="77"/>
        <source>1e%1</source>
        <translation>1e%1</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="84"/>
        <source>Relative error per group (log colour scale)</source>
        <translation>每组相对误差（对数色标）</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="85"/>
        <source>groups along the row →</source>
        <translation>沿行的分组 →</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="89"/>
        <source>rows ↓</source>
        <translation>行 ↓</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ErrorView</name>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="124"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="125"/>
        <source>Measure:</source>
        <translation>度量：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="126"/>
        <source>Relative MSE</source>
        <translation>相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="127"/>
        <source>SQNR (dB)</source>
        <translation>SQNR（dB）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="128"/>
        <source>Proxy error</source>
        <translation>代理误差</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="129"/>
        <source>Export chart…</source>
        <translation>导出图表…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="140"/>
        <source>Format plan (measured on sample rows)</source>
        <translation>格式方案（在抽样行上测量）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="142"/>
        <source>Run: %1</source>
        <translation>运行：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="169"/>
        <source>The proxy error needs calibration: it comes with a run (Quantize with a calibration text).</source>
        <translation>代理误差需要校准：它来自一次运行（使用校准文本进行量化）。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="170"/>
        <source>No format planned yet: use the format designer&apos;s Apply buttons.</source>
        <translation>尚未规划格式：请使用格式设计器的“应用”按钮。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/error_view.cpp" line="171"/>
        <source>%n tensor(s) planned; errors are measured in the background.</source>
        <translation>
            <numerusform>已规划 %n 个张量；误差在后台测量。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="181"/>
        <source>%1: %2 bits/weight on average, %3 tensors quantized.</source>
        <translation>%1：平均 %2 比特/权重，已量化 %3 个张量。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="186"/>
        <source>Relative MSE per tensor</source>
        <translation>每个张量的相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="187"/>
        <source>SQNR per tensor (dB, higher is better)</source>
        <translation>每个张量的 SQNR（dB，越高越好）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="188"/>
        <source>Proxy (output) error per tensor</source>
        <translation>每个张量的代理（输出）误差</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="209"/>
        <source>tensor (layer.role)</source>
        <translation>张量（层.角色）</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ExportDialog</name>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="54"/>
        <source>Export Model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="56"/>
        <source>GGUF (llama.cpp)</source>
        <translation>GGUF (llama.cpp)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="57"/>
        <source>GPTQ checkpoint (transformers, vLLM)</source>
        <translation>GPTQ 检查点 (transformers, vLLM)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="58"/>
        <source>compressed-tensors (vLLM)</source>
        <translation>compressed-tensors (vLLM)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="59"/>
        <source>Fake-quant safetensors (any framework)</source>
        <translation>伪量化 safetensors（任意框架）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="60"/>
        <source>VPTQ checkpoint (transformers)</source>
        <translation>VPTQ 检查点（transformers）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="63"/>
        <source>from the plan</source>
        <translation>按计划</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="67"/>
        <source>Strict: refuse instead of re-quantizing what the target cannot carry</source>
        <translation>严格：目标无法承载时拒绝，而不是重新量化</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="68"/>
        <source>Overwrite an existing output</source>
        <translation>覆盖已有输出</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="70"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Studio format</source>
        <translation>Studio 格式</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Stored as</source>
        <translation>存储为</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>What happens</source>
        <translation>处理方式</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="81"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="82"/>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="292"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="85"/>
        <source>Target</source>
        <translation>目标</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="86"/>
        <source>GGUF type</source>
        <translation>GGUF 类型</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="87"/>
        <source>Fake-quant dtype</source>
        <translation>伪量化数据类型</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="91"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="151"/>
        <source>Export to</source>
        <translation>导出到</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="151"/>
        <source>GGUF (*.gguf)</source>
        <translation>GGUF (*.gguf)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="152"/>
        <source>Export into a new folder inside</source>
        <translation>导出到其中的新文件夹</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="176"/>
        <source>refused: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="180"/>
        <source>re-quantized to %1 (the error is measured during the export)</source>
        <translation>重新量化为 %1（误差在导出时测量）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="187"/>
        <source>carried when the layout holds it (codebooks rounded to fp16 are reported, refused with Strict)</source>
        <translation>布局可容纳时原样保留（舍入到 fp16 的码本会被报告，严格模式下拒绝）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="188"/>
        <source>decoded, stored as f16 (refused with Strict for a linear layer)</source>
        <translation>解码后以 f16 存储（严格模式下对线性层拒绝）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="192"/>
        <source>decoded, stored as %1</source>
        <translation>已解码，存储为 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="192"/>
        <source>converted</source>
        <translation>已转换</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="195"/>
        <source>carried when the format is an INT grid the layout holds (else re-quantized or refused with Strict)</source>
        <translation>若格式是该布局可容纳的 INT 网格则原样保留（否则重新量化，严格模式下拒绝）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="189"/>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="196"/>
        <source>kept unquantized</source>
        <translation>保持未量化</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="207"/>
        <source>%1 tensors cannot be carried and Strict is on: the export will be refused.</source>
        <translation>%1 个张量无法承载且已开启严格模式：导出将被拒绝。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="208"/>
        <source>%1 tensors have no exact GGUF type and will be re-quantized (shown above).</source>
        <translation>%1 个张量没有精确的 GGUF 类型，将被重新量化（见上表）。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="209"/>
        <source>Every tensor is carried exactly or copied.</source>
        <translation>所有张量都将精确保留或复制。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="224"/>
        <source>Choose where to write the export.</source>
        <translation>请选择导出位置。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="253"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="254"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="294"/>
        <source>Cancelled: nothing was written.</source>
        <translation>已取消：未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="294"/>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="309"/>
        <source>Wrote %1 (%2 MB in %3 s): %4 tensors carried exactly, %5 re-quantized</source>
        <translation>已写入 %1（%2 MB，用时 %3 秒）：%4 个张量精确保留，%5 个重新量化</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="316"/>
        <source> (worst relative error %1)</source>
        <translation>（最大相对误差 %1）</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::FormatDesigner</name>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="38"/>
        <source>Integer (INT)</source>
        <translation>整数（INT）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="39"/>
        <source>Minifloat (FP ExMy)</source>
        <translation>小浮点（FP ExMy）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="40"/>
        <source>NormalFloat (NF)</source>
        <translation>NormalFloat（NF）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="41"/>
        <source>BitMoD mixture</source>
        <translation>BitMoD 混合</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="42"/>
        <source>Microscaling (MX)</source>
        <translation>微缩放（MX）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="43"/>
        <source>NVFP4</source>
        <translation>NVFP4</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="44"/>
        <source>IQ4_NL lookup table</source>
        <translation>IQ4_NL 查找表</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="45"/>
        <source>ggml q4_0</source>
        <translation>ggml q4_0</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="46"/>
        <source>Mixture of grids</source>
        <translation>网格混合</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="47"/>
        <source>Custom lookup table</source>
        <translation>自定义查找表</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="55"/>
        <source>per channel</source>
        <translation>逐通道</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="57"/>
        <source>per tensor</source>
        <translation>逐张量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="262"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="263"/>
        <source>Family:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="264"/>
        <source>Bits:</source>
        <translation>比特：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="265"/>
        <source>Exponent bits:</source>
        <translation>指数位：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="266"/>
        <source>Asymmetric (zero point / two scales)</source>
        <translation>非对称（零点 / 双缩放）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="267"/>
        <source>Group size:</source>
        <translation>分组大小：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="268"/>
        <source>Scale storage:</source>
        <translation>缩放存储：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="269"/>
        <source>Members:</source>
        <translation>成员：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="270"/>
        <source>Grids separated by |, e.g. int3|fp3|nf3; each group picks the one with the lowest error</source>
        <translation>用 | 分隔的网格，例如 int3|fp3|nf3；每组选择误差最小者</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="271"/>
        <source>Values:</source>
        <translation>取值：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="272"/>
        <source>2 to 256 distinct finite values separated by commas or spaces</source>
        <translation>2 到 256 个互不相同的有限值，用逗号或空格分隔</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="273"/>
        <source>Selected tensor</source>
        <translation>选中的张量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="274"/>
        <source>Bits per weight:</source>
        <translation>每权重比特数：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="275"/>
        <source>Relative MSE:</source>
        <translation>相对 MSE：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="276"/>
        <source>SQNR:</source>
        <translation>SQNR：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="277"/>
        <source>ExMy splits</source>
        <translation>ExMy 划分</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Prior ΔL
(training law)</source>
        <translation>先验 ΔL
（训练定律）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Measured
rel. MSE</source>
        <translation>实测
相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="279"/>
        <source>Prior: the FP scaling law (a law for training in FP, with N = model parameters, D = 20·N, B = group size), not a measurement of this tensor. Double-click a row to use that split.</source>
        <translation>先验：FP 缩放定律（针对 FP 训练的定律，N = 模型参数量，D = 20·N，B = 分组大小），并非对该张量的测量。双击一行即可采用该划分。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="281"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="282"/>
        <source>To selection</source>
        <translation>应用于所选</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="283"/>
        <source>Plan this format for the selected tensors (Ctrl+Return)</source>
        <translation>为所选张量规划此格式（Ctrl+Return）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="285"/>
        <source>To all</source>
        <translation>应用于全部</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="286"/>
        <source>Plan this format for every linear tensor</source>
        <translation>为每个线性张量规划此格式</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="287"/>
        <source>Regex, e.g. mlp|ffn</source>
        <translation>正则表达式，例如 mlp|ffn</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="288"/>
        <source>To matching</source>
        <translation>应用于匹配项</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="289"/>
        <source>Clear format of selection</source>
        <translation>清除所选的格式</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="425"/>
        <source>Invalid format: %1</source>
        <translation>无效格式：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="432"/>
        <source>Select a tensor to measure the format on it.</source>
        <translation>选择一个张量以在其上测量该格式。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="439"/>
        <source>Measuring…</source>
        <translation>测量中…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="446"/>
        <source>Cannot measure: %1</source>
        <translation>无法测量：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="450"/>
        <source>codes %1 + scales %2 + second scales %3 + selectors %4 + tensor %5</source>
        <translation>编码 %1 + 缩放 %2 + 第二缩放 %3 + 选择器 %4 + 张量 %5</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="455"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="457"/>
        <source>Sampled: %1 of %2 rows (evenly spaced; groups are whole).</source>
        <translation>抽样：%2 行中的 %1 行（均匀间隔；分组保持完整）。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="458"/>
        <source>Whole tensor (%1 rows).</source>
        <translation>整个张量（%1 行）。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="459"/>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="484"/>
        <source>…</source>
        <translation>…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::HistogramChart</name>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="79"/>
        <source>Weight histogram</source>
        <translation>权重直方图</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="100"/>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="127"/>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="107"/>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="127"/>
        <source>count (log)</source>
        <translation>计数（对数）</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::LayerTreeModel</name>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="273"/>
        <source>Embedding</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="274"/>
        <source>Layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="275"/>
        <source>Final</source>
        <translation>末端</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="276"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="321"/>
        <source>Tensors: %1 · parameters: %2</source>
        <translation>张量：%1 · 参数：%2</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="378"/>
        <source>Relative MSE %1 · SQNR %2 dB</source>
        <translation>相对 MSE %1 · SQNR %2 dB</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="410"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="411"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="412"/>
        <source>Shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="413"/>
        <source>DType</source>
        <translation>数据类型</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="414"/>
        <source>Params</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="415"/>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="416"/>
        <source>Bits/weight</source>
        <translation>比特/权重</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="417"/>
        <source>Rel. MSE</source>
        <translation>相对 MSE</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::MainWindow</name>
    <message>
        <location filename="../app/studio/main_window.cpp" line="166"/>
        <source>Run “%1” finished: %2 bits/weight, written to %3</source>
        <translation>运行“%1”完成：%2 比特/权重，已写入 %3</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="169"/>
        <source>perplexity measured on the CPU: %1</source>
        <translation>困惑度在 CPU 上测量：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="174"/>
        <source>Quantization cancelled; no file was written.</source>
        <translation>量化已取消；未写入任何文件。</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="179"/>
        <source>Quantization failed</source>
        <translation>量化失败</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="207"/>
        <source>%1 — Lowbit Studio</source>
        <translation>%1 — Lowbit Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="208"/>
        <source>Lowbit Studio</source>
        <translation>Lowbit Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="209"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="210"/>
        <source>Open &amp;Folder…</source>
        <translation>打开文件夹(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="211"/>
        <source>Open a Hugging Face model folder</source>
        <translation>打开 Hugging Face 模型文件夹</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="212"/>
        <source>Open F&amp;ile…</source>
        <translation>打开文件(&amp;I)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="213"/>
        <source>Open a .gguf, .safetensors or llama2.c .bin file</source>
        <translation>打开 .gguf、.safetensors 或 llama2.c .bin 文件</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="214"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="215"/>
        <source>&amp;Clear List</source>
        <translation>清除列表(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="216"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="217"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="218"/>
        <source>Tensors</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="219"/>
        <source>Format Designer</source>
        <translation>格式设计器</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="220"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="221"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="222"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="223"/>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="224"/>
        <source>&amp;Quantize</source>
        <translation>量化(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="225"/>
        <source>&amp;Quantize Model…</source>
        <translation>量化模型(&amp;Q)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="226"/>
        <source>Quantize the model with the planned formats and a method</source>
        <translation>使用规划的格式和方法量化模型</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="227"/>
        <source>&amp;Cancel Job</source>
        <translation>取消任务(&amp;C)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="228"/>
        <source>E&amp;xport Model…</source>
        <translation>导出模型(&amp;X)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="229"/>
        <source>Write the open model as GGUF, GPTQ, compressed-tensors or fake-quant safetensors</source>
        <translation>将打开的模型写为 GGUF、GPTQ、compressed-tensors 或伪量化 safetensors</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="230"/>
        <source>&amp;Export Chart…</source>
        <translation>导出图表(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="231"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Tensor</source>
        <translation>张量</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Distribution</source>
        <translation>分布</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Errors</source>
        <translation>误差</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Bit Budget</source>
        <translation>比特预算</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="235"/>
        <source>Show %1</source>
        <translation>显示%1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="237"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="239"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="240"/>
        <source>System Default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="242"/>
        <source>&amp;About Lowbit Studio</source>
        <translation>关于 Lowbit Studio(&amp;A)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="243"/>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="244"/>
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="342"/>
        <source>Could not open model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="342"/>
        <source>Could not open %1:

%2</source>
        <translation>无法打开 %1：

%2</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="395"/>
        <source>No model loaded</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="406"/>
        <source>%1 params</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="407"/>
        <source>%1 on disk</source>
        <translation>磁盘占用 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="409"/>
        <source>no format planned</source>
        <translation>未规划格式</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/main_window.cpp" line="410"/>
        <source>plan: %1 bits/weight over %n tensor(s)</source>
        <translation>
            <numerusform>方案：%n 个张量，平均 %1 比特/权重</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="416"/>
        <source>Open Model Folder</source>
        <translation>打开模型文件夹</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="426"/>
        <source>Open Model File</source>
        <translation>打开模型文件</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="427"/>
        <source>Model files (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c checkpoint (*.bin);;All files (*)</source>
        <translation>模型文件 (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c 检查点 (*.bin);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="437"/>
        <source>About Lowbit Studio</source>
        <translation>关于 Lowbit Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="438"/>
        <source>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;A studio for low-bit quantization of large language models.&lt;/p&gt;&lt;p&gt;Copyright © 2026 the Lowbit Studio authors.&lt;br&gt;This program is free software: you can redistribute it and/or modify it under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version. It comes WITHOUT ANY WARRANTY. Qt Charts is used under the GPL-3.0.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Patent notice:&lt;/b&gt; the BitMoD datatypes (extended FP3/FP4 grids and their per-group mixture) are the subject of a patent application by the method&apos;s authors&apos; university. The GPL grants you the copyright licence to this code; it does not grant any patent licence for that method. Check your situation before using the BitMoD formats commercially.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;一个面向大语言模型低比特量化的工作室。&lt;/p&gt;&lt;p&gt;版权所有 © 2026 Lowbit Studio 作者。&lt;br&gt;本程序是自由软件：你可以依据自由软件基金会发布的 GNU 通用公共许可证第 3 版或（由你选择）任何更新版本的条款重新分发和/或修改它。本程序不提供任何担保。Qt Charts 依据 GPL-3.0 使用。&lt;/p&gt;&lt;p&gt;&lt;b&gt;专利声明：&lt;/b&gt;BitMoD 数据类型（扩展 FP3/FP4 网格及其逐组混合）是该方法作者所在大学专利申请的对象。GPL 授予你本代码的版权许可，但不授予该方法的任何专利许可。商业使用 BitMoD 格式前请核实你的情况。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="42"/>
        <source>Set %1 on the selection</source>
        <translation>为所选设置 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="50"/>
        <source>Set %1 on all linear tensors</source>
        <translation>为所有线性张量设置 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="55"/>
        <source>Invalid pattern: %1</source>
        <translation>无效的模式：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="61"/>
        <source>Set %1 on tensors matching “%2”</source>
        <translation>为匹配“%2”的张量设置 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="67"/>
        <source>No quantizable tensor selected or matched.</source>
        <translation>没有选中或匹配到可量化的张量。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/main_window_jobs.cpp" line="83"/>
        <source>Clear the format of %n tensor(s)</source>
        <translation>
            <numerusform>清除 %n 个张量的格式</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="120"/>
        <location filename="../app/studio/main_window_jobs.cpp" line="158"/>
        <source>Quantizing</source>
        <translation>正在量化</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="124"/>
        <source>Starting…</source>
        <translation>启动中…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="157"/>
        <source>Calibrating</source>
        <translation>正在校准</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="158"/>
        <source>Quantizing %1</source>
        <translation>正在量化 %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="159"/>
        <source>Measuring perplexity</source>
        <translation>正在测量困惑度</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="160"/>
        <source>Writing the container</source>
        <translation>正在写入容器</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="164"/>
        <source>%1 — %2 %</source>
        <translation>%1 — %2 %</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="166"/>
        <source>ETA %1 s</source>
        <translation>预计剩余 %1 秒</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="538"/>
        <source>%1 in memory</source>
        <translation>内存占用 %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ModelTreePanel</name>
    <message>
        <location filename="../app/studio/views/model_tree_panel.cpp" line="133"/>
        <source>Filter tensors (e.g. q_proj, layers.3, attn)…</source>
        <translation>筛选张量（例如 q_proj、layers.3、attn）…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::QuantizeDialog</name>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="59"/>
        <source>Quantize Model</source>
        <translation>量化模型</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="70"/>
        <source>none (RTN and clipping run without calibration)</source>
        <translation>无（RTN 和裁剪无需校准）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="75"/>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="76"/>
        <source>Measure perplexity after quantizing</source>
        <translation>量化后测量困惑度</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="83"/>
        <source> documents</source>
        <translation> 篇文档</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="86"/>
        <source>Quantize with the designer&apos;s format (%1)</source>
        <translation>使用设计器的格式量化（%1）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="87"/>
        <source>Quantize with the designer&apos;s format (invalid)</source>
        <translation>使用设计器的格式量化（无效）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="88"/>
        <source>Keep in original precision</source>
        <translation>保持原始精度</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="90"/>
        <source>Also quantize the token embedding and a separate classifier</source>
        <translation>同时量化词元嵌入和独立的分类层</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="105"/>
        <source>Method:</source>
        <translation>方法：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="107"/>
        <source>Calibration text:</source>
        <translation>校准文本：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="107"/>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="110"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>文本文件 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="108"/>
        <source>Calibration tokens:</source>
        <translation>校准词元数：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="110"/>
        <source>Evaluation text:</source>
        <translation>评估文本：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="111"/>
        <source>Evaluate on:</source>
        <translation>评估范围：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="112"/>
        <source>Tensors without a plan:</source>
        <translation>未规划的张量：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="114"/>
        <source>Output container:</source>
        <translation>输出容器：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="114"/>
        <source>Studio container (*.lowbit.safetensors)</source>
        <translation>Studio 容器 (*.lowbit.safetensors)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="116"/>
        <source>Quantize</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="142"/>
        <source>No model is open.</source>
        <translation>未打开模型。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="150"/>
        <source>Nothing to quantize: plan formats in the designer or quantize the other tensors too.</source>
        <translation>没有可量化的内容：请在设计器中规划格式，或同时量化其余张量。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="155"/>
        <source>The designer&apos;s format is not valid.</source>
        <translation>设计器的格式无效。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="174"/>
        <source>%1 needs a calibration text.</source>
        <translation>%1 需要校准文本。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="176"/>
        <source>The calibration text %1 does not exist.</source>
        <translation>校准文本 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="181"/>
        <source>The evaluation text %1 does not exist.</source>
        <translation>评估文本 %1 不存在。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="186"/>
        <source>The output file name must end in %1.</source>
        <translation>输出文件名必须以 %1 结尾。</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="196"/>
        <source>No tensor has a planned format: every linear tensor gets the designer&apos;s format.</source>
        <translation>没有张量规划了格式：每个线性张量都将使用设计器的格式。</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="197"/>
        <source>%n tensor(s) have a planned format from the designer.</source>
        <translation>
            <numerusform>%n 个张量已有设计器规划的格式。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lowbit::studio::RunHistoryModel</name>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="83"/>
        <source>Measured on %1</source>
        <translation>在 %1 上测量</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="84"/>
        <source>Measured on %1: the chosen device failed (%2)</source>
        <translation>在 %1 上测量：所选设备失败（%2）</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="94"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="130"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="131"/>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="132"/>
        <source>Bits/weight</source>
        <translation>比特/权重</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="133"/>
        <source>Rel. MSE</source>
        <translation>相对 MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="134"/>
        <source>Proxy error</source>
        <translation>代理误差</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="135"/>
        <source>Perplexity</source>
        <translation>困惑度</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="136"/>
        <source>Time</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="137"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::RunPanel</name>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="209"/>
        <location filename="../app/studio/views/run_panel.cpp" line="257"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="211"/>
        <source>Vulkan: %1</source>
        <translation>Vulkan：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="220"/>
        <source>Open model (%1)</source>
        <translation>已打开的模型（%1）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="222"/>
        <source>Run: %1</source>
        <translation>运行：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="237"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="238"/>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="243"/>
        <source>Activations:</source>
        <translation>激活：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="239"/>
        <source>KV cache:</source>
        <translation>KV 缓存：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="240"/>
        <location filename="../app/studio/views/run_panel.cpp" line="244"/>
        <source>fp32 (exact)</source>
        <translation>fp32（精确）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="241"/>
        <source>fp16 (half the memory)</source>
        <translation>fp16（内存减半）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="242"/>
        <source>How keys and values are stored: fp16 rounds them as llama.cpp&apos;s default cache does</source>
        <translation>键和值的存储方式：fp16 按 llama.cpp 默认缓存的方式舍入</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="245"/>
        <source>int8 (integer kernels: faster)</source>
        <translation>int8（整数内核：更快）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="246"/>
        <source>int8 quantizes the inputs of 2- to 4-bit INT linears, as llama.cpp does, for integer kernels: per 32 values on CPU Vulkan devices, per 8 on GPUs that accelerate the integer dot product (there for decoding only); the Vulkan engine only</source>
        <translation>int8 量化 2 至 4 位 INT 线性层的输入（与 llama.cpp 相同），以使用整数内核：在 CPU Vulkan 设备上每 32 个值，在加速整数点积的 GPU 上每 8 个值（仅用于解码）；仅限 Vulkan 引擎</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="249"/>
        <source>Prompt:</source>
        <translation>提示词：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="250"/>
        <source>Tokens:</source>
        <translation>词元数：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="251"/>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="252"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="253"/>
        <source>Generate text (Return in the prompt)</source>
        <translation>生成文本（在提示词中按回车）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="254"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="255"/>
        <source>Run on the CPU</source>
        <translation>在 CPU 上运行</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="256"/>
        <source>Generate the same text with the CPU engine</source>
        <translation>用 CPU 引擎生成相同的文本</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="260"/>
        <source>Generates on the chosen device; tokens per second appear when it ends.</source>
        <translation>在所选设备上生成；结束后显示每秒词元数。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="286"/>
        <source>Loading the model on %1…</source>
        <translation>正在将模型加载到 %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="299"/>
        <source>%1 tokens at %2 tokens/s on %3; prompt %4 tokens at %5 tokens/s (model loaded in %6 s)</source>
        <translation>%1 个词元，%2 词元/秒，设备 %3；提示 %4 个词元，%5 词元/秒（模型加载耗时 %6 秒）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="303"/>
        <source>Generation failed on %1: %2. The CPU engine can run it instead.</source>
        <translation>在 %1 上生成失败：%2。可改用 CPU 引擎运行。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="304"/>
        <source>Generation failed: %1</source>
        <translation>生成失败：%1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::SettingsDialog</name>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="25"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="29"/>
        <source>all cores (%1)</source>
        <translation>全部核心（%1）</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="32"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="34"/>
        <source>Where the Run panel generates and quantization runs measure perplexity; a Vulkan device that fails leaves the work to the CPU</source>
        <translation>运行面板生成文本、量化运行测量困惑度所用的设备；Vulkan 设备失败时由 CPU 接手</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="37"/>
        <source>Vulkan: %1</source>
        <translation>Vulkan：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="41"/>
        <source>A format name as `lowbit formats` lists it, e.g. int4, nf4-asym, fp-e2m1, mxfp4</source>
        <translation>`lowbit formats` 列出的格式名，例如 int4、nf4-asym、fp-e2m1、mxfp4</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="45"/>
        <source>per channel</source>
        <translation>逐通道</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="49"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="62"/>
        <source>Threads:</source>
        <translation>线程数：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="63"/>
        <source>Compute device:</source>
        <translation>计算设备：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="64"/>
        <source>Default format:</source>
        <translation>默认格式：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="65"/>
        <source>Default group size:</source>
        <translation>默认分组大小：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="66"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="82"/>
        <source>Default format: %1</source>
        <translation>默认格式：%1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::TensorPanel</name>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="157"/>
        <location filename="../app/studio/views/tensor_panel.cpp" line="269"/>
        <source>No tensor selected</source>
        <translation>未选择张量</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="222"/>
        <source> (channel %1)</source>
        <translation>（通道 %1）</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="230"/>
        <source>Select a tensor in the tree to see its statistics.</source>
        <translation>在树中选择一个张量以查看其统计信息。</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="233"/>
        <source>%1 · layer %2</source>
        <translation>%1 · 第 %2 层</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="233"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="235"/>
        <source>Computing statistics…</source>
        <translation>正在计算统计信息…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="237"/>
        <source>Statistics unavailable: %1</source>
        <translation>统计信息不可用：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="239"/>
        <source>Warning: non-finite values excluded from the statistics: %1</source>
        <translation>警告：统计中排除了非有限值：%1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="253"/>
        <source>Log count axis</source>
        <translation>对数计数轴</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="254"/>
        <source>Shape:</source>
        <translation>形状：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="255"/>
        <source>DType:</source>
        <translation>数据类型：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="256"/>
        <source>Params:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="257"/>
        <source>Min:</source>
        <translation>最小值：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="258"/>
        <source>Max:</source>
        <translation>最大值：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="259"/>
        <source>Mean:</source>
        <translation>均值：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="260"/>
        <source>Std:</source>
        <translation>标准差：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="261"/>
        <source>Excess kurtosis:</source>
        <translation>超额峰度：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="262"/>
        <source>Absmax/std:</source>
        <translation>绝对值最大值/标准差：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="263"/>
        <source>Zeros:</source>
        <translation>零值：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="264"/>
        <source>NaN / Inf:</source>
        <translation>NaN / Inf：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="265"/>
        <source>Max/median channel:</source>
        <translation>最大/中位通道：</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="267"/>
        <source>Largest per-output-channel absmax divided by the median: values well above 1 flag outlier channels</source>
        <translation>各输出通道绝对值最大值中的最大者除以中位数：明显大于 1 表示存在离群通道</translation>
    </message>
</context>
</TS>
