<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ChartExport</name>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="20"/>
        <source>Nothing to export</source>
        <translation>Nichts zu exportieren</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="30"/>
        <location filename="../app/studio/util/chart_export.cpp" line="34"/>
        <location filename="../app/studio/util/chart_export.cpp" line="43"/>
        <location filename="../app/studio/util/chart_export.cpp" line="53"/>
        <source>Cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="60"/>
        <location filename="../app/studio/util/chart_export.cpp" line="66"/>
        <source>Export Chart</source>
        <translation>Diagramm exportieren</translation>
    </message>
    <message>
        <location filename="../app/studio/util/chart_export.cpp" line="61"/>
        <source>PNG image (*.png);;SVG image (*.svg);;PDF document (*.pdf)</source>
        <translation>PNG-Bild (*.png);;SVG-Bild (*.svg);;PDF-Dokument (*.pdf)</translation>
    </message>
</context>
<context>
    <name>DisplayFormat</name>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="52"/>
        <source>%1 layers</source>
        <translation>%1 Schichten</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="53"/>
        <source>dim %1</source>
        <translation>Dim. %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="54"/>
        <source>%1/%2 heads</source>
        <translation>%1/%2 Köpfe</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="55"/>
        <source>ffn %1</source>
        <translation>FFN %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="56"/>
        <source>vocab %1</source>
        <translation>Vokabular %1</translation>
    </message>
    <message>
        <location filename="../app/studio/util/display_format.cpp" line="58"/>
        <source>ctx %1</source>
        <translation>Kontext %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::BudgetView</name>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="179"/>
        <location filename="../app/studio/views/budget_view.cpp" line="209"/>
        <source>Calibration text</source>
        <translation>Kalibrierungstext</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="180"/>
        <source>a text file: documents separated by &lt;|endoftext|&gt;</source>
        <translation>eine Textdatei: Dokumente durch &lt;|endoftext|&gt; getrennt</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="181"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="182"/>
        <source>Format menu</source>
        <translation>Formatmenü</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="183"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="184"/>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="185"/>
        <source>Measure sensitivities</source>
        <translation>Empfindlichkeiten messen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="186"/>
        <source>Quantize and measure</source>
        <translation>Quantisieren und messen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="187"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="188"/>
        <source>Predicted loss increase vs bits per weight (exact optimum per budget)</source>
        <translation>Vorhergesagter Verlustanstieg gegen Bits pro Gewicht (exaktes Optimum je Budget)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="189"/>
        <source>frontier</source>
        <translation>Front</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="190"/>
        <source>this budget</source>
        <translation>dieses Budget</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="191"/>
        <source>measured</source>
        <translation>gemessen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="192"/>
        <source>Bits per weight chosen for each layer</source>
        <translation>Gewählte Bits pro Gewicht je Schicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="193"/>
        <location filename="../app/studio/views/budget_view.cpp" line="472"/>
        <source>Budget %1 bpw</source>
        <translation>Budget %1 Bits/Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="193"/>
        <source>Budget</source>
        <translation>Budget</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="195"/>
        <source>Measure the sensitivities of the open model to a menu of formats; then drag the budget.</source>
        <translation>Messen Sie die Empfindlichkeiten des geöffneten Modells für ein Menü von Formaten; ziehen Sie dann das Budget.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="209"/>
        <source>Text files (*.txt *.raw);;All files (*)</source>
        <translation>Textdateien (*.txt *.raw);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="275"/>
        <location filename="../app/studio/views/budget_view.cpp" line="309"/>
        <source>Calibrating</source>
        <translation>Kalibriere</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="292"/>
        <source>Measuring</source>
        <translation>Messe</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="329"/>
        <location filename="../app/studio/views/budget_view.cpp" line="366"/>
        <source>Quantizing</source>
        <translation>Quantisiere</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="343"/>
        <source>Evaluating</source>
        <translation>Werte aus</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="411"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="488"/>
        <source>%1 tensors at %2 bpw (budget %3): predicted %4 increase %5</source>
        <translation>%1 Tensoren mit %2 Bits/Gewicht (Budget %3): vorhergesagter Anstieg von %4: %5</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="495"/>
        <source> (perplexity %1 → %2 predicted)</source>
        <translation> (Perplexität %1 → %2 vorhergesagt)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="499"/>
        <source>; measured at the last check: %1 (perplexity %2)</source>
        <translation>; bei der letzten Prüfung gemessen: %1 (Perplexität %2)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="537"/>
        <location filename="../app/studio/views/budget_view.cpp" line="570"/>
        <source>bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="540"/>
        <source>predicted increase</source>
        <translation>vorhergesagter Anstieg</translation>
    </message>
    <message>
        <location filename="../app/studio/views/budget_view.cpp" line="552"/>
        <source>bpw</source>
        <translation>Bits/Gewicht</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ChannelChart</name>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="75"/>
        <source>|w| per element</source>
        <translation>|w| je Element</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="75"/>
        <source>Absmax per output channel</source>
        <translation>Absmax je Ausgabekanal</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="83"/>
        <source>|w|</source>
        <translation>|w|</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="83"/>
        <source>channel absmax</source>
        <translation>Kanal-Absmax</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="99"/>
        <source>outliers (&gt; %1× median)</source>
        <translation>Ausreißer (&gt; %1× Median)</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="116"/>
        <source>element</source>
        <translation>Element</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="116"/>
        <source>output channel</source>
        <translation>Ausgabekanal</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/channel_chart.cpp" line="121"/>
        <source>absmax</source>
        <translation>Absmax</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::CompareView</name>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="155"/>
        <source>Error measure:</source>
        <translation>Fehlermaß:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="156"/>
        <source>Relative MSE (weights)</source>
        <translation>Relativer MSE (Gewichte)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="157"/>
        <source>Proxy error (needs calibration)</source>
        <translation>Proxy-Fehler (braucht Kalibrierung)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="158"/>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="159"/>
        <source>Export Pareto chart…</source>
        <translation>Pareto-Diagramm exportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="160"/>
        <source>Export layer chart…</source>
        <translation>Schichtdiagramm exportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="161"/>
        <source>Remove run</source>
        <translation>Lauf entfernen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="170"/>
        <source>No runs yet: quantize the model (Quantize ▸ Quantize Model…) to compare runs here.</source>
        <translation>Noch keine Läufe: quantisieren Sie das Modell (Quantisieren ▸ Modell quantisieren…), um hier Läufe zu vergleichen.</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/compare_view.cpp" line="171"/>
        <source>%n run(s) in the history; tick a run in the table to compare it.</source>
        <translation>
            <numerusform>%n Lauf im Verlauf; haken Sie einen Lauf in der Tabelle an, um ihn zu vergleichen.</numerusform>
            <numerusform>%n Läufe im Verlauf; haken Sie einen Lauf in der Tabelle an, um ihn zu vergleichen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="178"/>
        <source>Bits per weight vs error (Pareto front dashed)</source>
        <translation>Bits pro Gewicht gegen Fehler (Pareto-Front gestrichelt)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="202"/>
        <source>bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <location filename="../app/studio/views/compare_view.cpp" line="297"/>
        <source>relative MSE</source>
        <translation>relativer MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <location filename="../app/studio/views/compare_view.cpp" line="297"/>
        <source>proxy error</source>
        <translation>Proxy-Fehler</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="206"/>
        <source>perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="227"/>
        <source>Pareto front</source>
        <translation>Pareto-Front</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="260"/>
        <source>Proxy error per layer</source>
        <translation>Proxy-Fehler pro Schicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="260"/>
        <source>Relative MSE per layer</source>
        <translation>Relativer MSE pro Schicht</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="273"/>
        <source>emb/out</source>
        <translation>Emb./Ausg.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/compare_view.cpp" line="291"/>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::DistributionChart</name>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="89"/>
        <source>Weights, dequantized weights and grid levels</source>
        <translation>Gewichte, dequantisierte Gewichte und Gitterstufen</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="108"/>
        <source>weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="116"/>
        <source>dequantized</source>
        <translation>dequantisiert</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="127"/>
        <source>grid levels (median group&apos;s scale)</source>
        <translation>Gitterstufen (Skala der Median-Gruppe)</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="145"/>
        <source>weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="162"/>
        <source>count (log)</source>
        <translation>Anzahl (log)</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/distribution_chart.cpp" line="162"/>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::DistributionView</name>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="78"/>
        <source>Log count axis</source>
        <translation>Logarithmische Anzahl-Achse</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="79"/>
        <source>Export chart…</source>
        <translation>Diagramm exportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="87"/>
        <source>Select a tensor in the tree; the format designer&apos;s format is drawn over its weights.</source>
        <translation>Wählen Sie einen Tensor im Baum; das Format des Format-Designers wird über seine Gewichte gezeichnet.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="94"/>
        <source>%1 — the designer&apos;s format is not valid.</source>
        <translation>%1 — das Format des Designers ist ungültig.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="100"/>
        <source>%1 — measuring…</source>
        <translation>%1 — wird gemessen…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="104"/>
        <source>%1 — cannot measure %2: %3</source>
        <translation>%1 — %2 kann nicht gemessen werden: %3</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="110"/>
        <source>&lt;b&gt;%1&lt;/b&gt; as &lt;b&gt;%2&lt;/b&gt;: relative MSE %3, SQNR %4 dB, %5 bits/weight.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; als &lt;b&gt;%2&lt;/b&gt;: relativer MSE %3, SQNR %4 dB, %5 Bits/Gewicht.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/distribution_view.cpp" line="114"/>
        <source>Measured on %1 of %2 rows (counts scaled to the whole tensor).</source>
        <translation>Gemessen an %1 von %2 Zeilen (Anzahlen auf den ganzen Tensor hochgerechnet).</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/distribution_view.cpp" line="117"/>
        <source>Grid: %n level(s) at the median group&apos;s scale %1.</source>
        <translation>
            <numerusform>Gitter: %n Stufe bei der Skala %1 der Median-Gruppe.</numerusform>
            <numerusform>Gitter: %n Stufen bei der Skala %1 der Median-Gruppe.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lowbit::studio::EmptyStateWidget</name>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="71"/>
        <source>Open a model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="72"/>
        <source>Open a Hugging Face folder (config.json with .safetensors shards), a .gguf file or a llama2.c .bin checkpoint — or drop one onto this window.</source>
        <translation>Öffnen Sie einen Hugging-Face-Ordner (config.json mit .safetensors-Dateien), eine .gguf-Datei oder einen llama2.c-Checkpoint (.bin) – oder ziehen Sie ihn auf dieses Fenster.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="77"/>
        <source>Open folder…</source>
        <translation>Ordner öffnen…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/empty_state_widget.cpp" line="78"/>
        <source>Open file…</source>
        <translation>Datei öffnen…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ErrorHeatMap</name>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="72"/>
        <source>No error map: select a tensor and a format</source>
        <translation>Keine Fehlerkarte: wählen Sie einen Tensor und ein Format</translation>
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
        <translation>Relativer Fehler pro Gruppe (logarithmische Farbskala)</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="85"/>
        <source>groups along the row →</source>
        <translation>Gruppen entlang der Zeile →</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/error_heat_map.cpp" line="89"/>
        <source>rows ↓</source>
        <translation>Zeilen ↓</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ErrorView</name>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="124"/>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="125"/>
        <source>Measure:</source>
        <translation>Maß:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="126"/>
        <source>Relative MSE</source>
        <translation>Relativer MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="127"/>
        <source>SQNR (dB)</source>
        <translation>SQNR (dB)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="128"/>
        <source>Proxy error</source>
        <translation>Proxy-Fehler</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="129"/>
        <source>Export chart…</source>
        <translation>Diagramm exportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="140"/>
        <source>Format plan (measured on sample rows)</source>
        <translation>Formatplan (an Stichprobenzeilen gemessen)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="142"/>
        <source>Run: %1</source>
        <translation>Lauf: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="169"/>
        <source>The proxy error needs calibration: it comes with a run (Quantize with a calibration text).</source>
        <translation>Der Proxy-Fehler braucht Kalibrierung: er kommt mit einem Lauf (Quantisieren mit einem Kalibrierungstext).</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="170"/>
        <source>No format planned yet: use the format designer&apos;s Apply buttons.</source>
        <translation>Noch kein Format geplant: nutzen Sie die Anwenden-Knöpfe des Format-Designers.</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/views/error_view.cpp" line="171"/>
        <source>%n tensor(s) planned; errors are measured in the background.</source>
        <translation>
            <numerusform>%n Tensor geplant; die Fehler werden im Hintergrund gemessen.</numerusform>
            <numerusform>%n Tensoren geplant; die Fehler werden im Hintergrund gemessen.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="181"/>
        <source>%1: %2 bits/weight on average, %3 tensors quantized.</source>
        <translation>%1: im Mittel %2 Bits/Gewicht, %3 Tensoren quantisiert.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="186"/>
        <source>Relative MSE per tensor</source>
        <translation>Relativer MSE pro Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="187"/>
        <source>SQNR per tensor (dB, higher is better)</source>
        <translation>SQNR pro Tensor (dB, höher ist besser)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="188"/>
        <source>Proxy (output) error per tensor</source>
        <translation>Proxy-(Ausgabe-)Fehler pro Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/views/error_view.cpp" line="209"/>
        <source>tensor (layer.role)</source>
        <translation>Tensor (Schicht.Rolle)</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ExportDialog</name>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="54"/>
        <source>Export Model</source>
        <translation>Modell exportieren</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="56"/>
        <source>GGUF (llama.cpp)</source>
        <translation>GGUF (llama.cpp)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="57"/>
        <source>GPTQ checkpoint (transformers, vLLM)</source>
        <translation>GPTQ-Checkpoint (transformers, vLLM)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="58"/>
        <source>compressed-tensors (vLLM)</source>
        <translation>compressed-tensors (vLLM)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="59"/>
        <source>Fake-quant safetensors (any framework)</source>
        <translation>Fake-Quant-safetensors (jedes Framework)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="60"/>
        <source>VPTQ checkpoint (transformers)</source>
        <translation>VPTQ-Checkpoint (transformers)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="63"/>
        <source>from the plan</source>
        <translation>aus dem Plan</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="67"/>
        <source>Strict: refuse instead of re-quantizing what the target cannot carry</source>
        <translation>Strikt: ablehnen statt neu zu quantisieren, was das Ziel nicht aufnehmen kann</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="68"/>
        <source>Overwrite an existing output</source>
        <translation>Vorhandene Ausgabe überschreiben</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="70"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Studio format</source>
        <translation>Studio-Format</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>Stored as</source>
        <translation>Gespeichert als</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="72"/>
        <source>What happens</source>
        <translation>Was passiert</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="81"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="82"/>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="292"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="85"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="86"/>
        <source>GGUF type</source>
        <translation>GGUF-Typ</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="87"/>
        <source>Fake-quant dtype</source>
        <translation>Fake-Quant-Datentyp</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="91"/>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="151"/>
        <source>Export to</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="151"/>
        <source>GGUF (*.gguf)</source>
        <translation>GGUF (*.gguf)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="152"/>
        <source>Export into a new folder inside</source>
        <translation>In einen neuen Ordner exportieren in</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="176"/>
        <source>refused: %1</source>
        <translation>abgelehnt: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="180"/>
        <source>re-quantized to %1 (the error is measured during the export)</source>
        <translation>neu quantisiert als %1 (der Fehler wird beim Export gemessen)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="187"/>
        <source>carried when the layout holds it (codebooks rounded to fp16 are reported, refused with Strict)</source>
        <translation>übernommen, wenn das Layout es abbildet (auf fp16 gerundete Codebücher werden gemeldet, mit „Strikt“ abgelehnt)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="188"/>
        <source>decoded, stored as f16 (refused with Strict for a linear layer)</source>
        <translation>dekodiert, als f16 gespeichert (mit „Strikt“ für eine lineare Schicht abgelehnt)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="192"/>
        <source>decoded, stored as %1</source>
        <translation>dekodiert, gespeichert als %1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="192"/>
        <source>converted</source>
        <translation>konvertiert</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="195"/>
        <source>carried when the format is an INT grid the layout holds (else re-quantized or refused with Strict)</source>
        <translation>unverändert übernommen, wenn das Format ein INT-Raster ist, das das Layout fasst (sonst neu quantisiert oder mit „Strikt“ abgelehnt)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="189"/>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="196"/>
        <source>kept unquantized</source>
        <translation>bleibt unquantisiert</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="207"/>
        <source>%1 tensors cannot be carried and Strict is on: the export will be refused.</source>
        <translation>%1 Tensoren können nicht übernommen werden und „Strikt“ ist an: der Export wird abgelehnt.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="208"/>
        <source>%1 tensors have no exact GGUF type and will be re-quantized (shown above).</source>
        <translation>%1 Tensoren haben keinen exakten GGUF-Typ und werden neu quantisiert (siehe oben).</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="209"/>
        <source>Every tensor is carried exactly or copied.</source>
        <translation>Jeder Tensor wird exakt übernommen oder kopiert.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="224"/>
        <source>Choose where to write the export.</source>
        <translation>Wählen Sie, wohin exportiert werden soll.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="253"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="254"/>
        <source>Exporting…</source>
        <translation>Exportiere…</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="294"/>
        <source>Cancelled: nothing was written.</source>
        <translation>Abgebrochen: nichts wurde geschrieben.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="294"/>
        <source>Export failed: %1</source>
        <translation>Export fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="309"/>
        <source>Wrote %1 (%2 MB in %3 s): %4 tensors carried exactly, %5 re-quantized</source>
        <translation>%1 geschrieben (%2 MB in %3 s): %4 Tensoren exakt übernommen, %5 neu quantisiert</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/export_dialog.cpp" line="316"/>
        <source> (worst relative error %1)</source>
        <translation> (größter relativer Fehler %1)</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::FormatDesigner</name>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="38"/>
        <source>Integer (INT)</source>
        <translation>Ganzzahl (INT)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="39"/>
        <source>Minifloat (FP ExMy)</source>
        <translation>Minifloat (FP ExMy)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="40"/>
        <source>NormalFloat (NF)</source>
        <translation>NormalFloat (NF)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="41"/>
        <source>BitMoD mixture</source>
        <translation>BitMoD-Mischung</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="42"/>
        <source>Microscaling (MX)</source>
        <translation>Microscaling (MX)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="43"/>
        <source>NVFP4</source>
        <translation>NVFP4</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="44"/>
        <source>IQ4_NL lookup table</source>
        <translation>IQ4_NL-Wertetabelle</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="45"/>
        <source>ggml q4_0</source>
        <translation>ggml q4_0</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="46"/>
        <source>Mixture of grids</source>
        <translation>Mischung von Gittern</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="47"/>
        <source>Custom lookup table</source>
        <translation>Eigene Wertetabelle</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="55"/>
        <source>per channel</source>
        <translation>pro Kanal</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="57"/>
        <source>per tensor</source>
        <translation>pro Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="262"/>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="263"/>
        <source>Family:</source>
        <translation>Familie:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="264"/>
        <source>Bits:</source>
        <translation>Bits:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="265"/>
        <source>Exponent bits:</source>
        <translation>Exponentenbits:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="266"/>
        <source>Asymmetric (zero point / two scales)</source>
        <translation>Asymmetrisch (Nullpunkt / zwei Skalen)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="267"/>
        <source>Group size:</source>
        <translation>Gruppengröße:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="268"/>
        <source>Scale storage:</source>
        <translation>Skalenspeicherung:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="269"/>
        <source>Members:</source>
        <translation>Mitglieder:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="270"/>
        <source>Grids separated by |, e.g. int3|fp3|nf3; each group picks the one with the lowest error</source>
        <translation>Gitter durch | getrennt, z. B. int3|fp3|nf3; jede Gruppe wählt das mit dem kleinsten Fehler</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="271"/>
        <source>Values:</source>
        <translation>Werte:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="272"/>
        <source>2 to 256 distinct finite values separated by commas or spaces</source>
        <translation>2 bis 256 verschiedene endliche Werte, durch Kommas oder Leerzeichen getrennt</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="273"/>
        <source>Selected tensor</source>
        <translation>Gewählter Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="274"/>
        <source>Bits per weight:</source>
        <translation>Bits pro Gewicht:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="275"/>
        <source>Relative MSE:</source>
        <translation>Relativer MSE:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="276"/>
        <source>SQNR:</source>
        <translation>SQNR:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="277"/>
        <source>ExMy splits</source>
        <translation>ExMy-Aufteilungen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Split</source>
        <translation>Aufteilung</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Prior ΔL
(training law)</source>
        <translation>Prior ΔL
(Trainingsgesetz)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="278"/>
        <source>Measured
rel. MSE</source>
        <translation>Gemessener
rel. MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="279"/>
        <source>Prior: the FP scaling law (a law for training in FP, with N = model parameters, D = 20·N, B = group size), not a measurement of this tensor. Double-click a row to use that split.</source>
        <translation>Prior: das FP-Skalierungsgesetz (ein Gesetz für Training in FP, mit N = Modellparameter, D = 20·N, B = Gruppengröße), keine Messung an diesem Tensor. Doppelklick auf eine Zeile übernimmt die Aufteilung.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="281"/>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="282"/>
        <source>To selection</source>
        <translation>Auf Auswahl</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="283"/>
        <source>Plan this format for the selected tensors (Ctrl+Return)</source>
        <translation>Dieses Format für die gewählten Tensoren planen (Strg+Eingabe)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="285"/>
        <source>To all</source>
        <translation>Auf alle</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="286"/>
        <source>Plan this format for every linear tensor</source>
        <translation>Dieses Format für jeden linearen Tensor planen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="287"/>
        <source>Regex, e.g. mlp|ffn</source>
        <translation>Regex, z. B. mlp|ffn</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="288"/>
        <source>To matching</source>
        <translation>Auf Treffer</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="289"/>
        <source>Clear format of selection</source>
        <translation>Format der Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="425"/>
        <source>Invalid format: %1</source>
        <translation>Ungültiges Format: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="432"/>
        <source>Select a tensor to measure the format on it.</source>
        <translation>Wählen Sie einen Tensor, um das Format daran zu messen.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="439"/>
        <source>Measuring…</source>
        <translation>Wird gemessen…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="446"/>
        <source>Cannot measure: %1</source>
        <translation>Messung nicht möglich: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="450"/>
        <source>codes %1 + scales %2 + second scales %3 + selectors %4 + tensor %5</source>
        <translation>Codes %1 + Skalen %2 + zweite Skalen %3 + Selektoren %4 + Tensor %5</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="455"/>
        <source>%1 dB</source>
        <translation>%1 dB</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="457"/>
        <source>Sampled: %1 of %2 rows (evenly spaced; groups are whole).</source>
        <translation>Stichprobe: %1 von %2 Zeilen (gleichmäßig verteilt; Gruppen bleiben ganz).</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="458"/>
        <source>Whole tensor (%1 rows).</source>
        <translation>Ganzer Tensor (%1 Zeilen).</translation>
    </message>
    <message>
        <location filename="../app/studio/views/format_designer.cpp" line="459"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
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
        <translation>Gewichtshistogramm</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="100"/>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="127"/>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="107"/>
        <source>weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/charts/histogram_chart.cpp" line="127"/>
        <source>count (log)</source>
        <translation>Anzahl (log)</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::LayerTreeModel</name>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="273"/>
        <source>Embedding</source>
        <translation>Einbettung</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="274"/>
        <source>Layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="275"/>
        <source>Final</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="276"/>
        <source>Other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="321"/>
        <source>Tensors: %1 · parameters: %2</source>
        <translation>Tensoren: %1 · Parameter: %2</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="378"/>
        <source>Relative MSE %1 · SQNR %2 dB</source>
        <translation>Relativer MSE %1 · SQNR %2 dB</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="410"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="411"/>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="412"/>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="413"/>
        <source>DType</source>
        <translation>Datentyp</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="414"/>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="415"/>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="416"/>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/models/layer_tree_model.cpp" line="417"/>
        <source>Rel. MSE</source>
        <translation>Rel. MSE</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::MainWindow</name>
    <message>
        <location filename="../app/studio/main_window.cpp" line="166"/>
        <source>Run “%1” finished: %2 bits/weight, written to %3</source>
        <translation>Lauf „%1“ fertig: %2 Bits/Gewicht, geschrieben nach %3</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="169"/>
        <source>perplexity measured on the CPU: %1</source>
        <translation>Perplexität auf der CPU gemessen: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="174"/>
        <source>Quantization cancelled; no file was written.</source>
        <translation>Quantisierung abgebrochen; es wurde keine Datei geschrieben.</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="179"/>
        <source>Quantization failed</source>
        <translation>Quantisierung fehlgeschlagen</translation>
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
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="210"/>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="211"/>
        <source>Open a Hugging Face model folder</source>
        <translation>Einen Hugging-Face-Modellordner öffnen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="212"/>
        <source>Open F&amp;ile…</source>
        <translation>Da&amp;tei öffnen…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="213"/>
        <source>Open a .gguf, .safetensors or llama2.c .bin file</source>
        <translation>Eine .gguf-, .safetensors- oder llama2.c-.bin-Datei öffnen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="214"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="215"/>
        <source>&amp;Clear List</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="216"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="217"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="218"/>
        <source>Tensors</source>
        <translation>Tensoren</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="219"/>
        <source>Format Designer</source>
        <translation>Format-Designer</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="220"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="221"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="222"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="223"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="224"/>
        <source>&amp;Quantize</source>
        <translation>&amp;Quantisieren</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="225"/>
        <source>&amp;Quantize Model…</source>
        <translation>Modell &amp;quantisieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="226"/>
        <source>Quantize the model with the planned formats and a method</source>
        <translation>Das Modell mit den geplanten Formaten und einer Methode quantisieren</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="227"/>
        <source>&amp;Cancel Job</source>
        <translation>Auftrag &amp;abbrechen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="228"/>
        <source>E&amp;xport Model…</source>
        <translation>Modell e&amp;xportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="229"/>
        <source>Write the open model as GGUF, GPTQ, compressed-tensors or fake-quant safetensors</source>
        <translation>Das geöffnete Modell als GGUF, GPTQ, compressed-tensors oder Fake-Quant-safetensors schreiben</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="230"/>
        <source>&amp;Export Chart…</source>
        <translation>Diagramm &amp;exportieren…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="231"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Tensor</source>
        <translation>Tensor</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Distribution</source>
        <translation>Verteilung</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="232"/>
        <source>Bit Budget</source>
        <translation>Bitbudget</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="235"/>
        <source>Show %1</source>
        <translation>%1 zeigen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="237"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="239"/>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="240"/>
        <source>System Default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="242"/>
        <source>&amp;About Lowbit Studio</source>
        <translation>Ü&amp;ber Lowbit Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="243"/>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="244"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="342"/>
        <source>Could not open model</source>
        <translation>Modell konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="342"/>
        <source>Could not open %1:

%2</source>
        <translation>%1 konnte nicht geöffnet werden:

%2</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="395"/>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="406"/>
        <source>%1 params</source>
        <translation>%1 Parameter</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="407"/>
        <source>%1 on disk</source>
        <translation>%1 auf der Festplatte</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="409"/>
        <source>no format planned</source>
        <translation>kein Format geplant</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/main_window.cpp" line="410"/>
        <source>plan: %1 bits/weight over %n tensor(s)</source>
        <translation>
            <numerusform>Plan: %1 Bits/Gewicht über %n Tensor</numerusform>
            <numerusform>Plan: %1 Bits/Gewicht über %n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="416"/>
        <source>Open Model Folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="426"/>
        <source>Open Model File</source>
        <translation>Modelldatei öffnen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="427"/>
        <source>Model files (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c checkpoint (*.bin);;All files (*)</source>
        <translation>Modelldateien (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c-Checkpoint (*.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="437"/>
        <source>About Lowbit Studio</source>
        <translation>Über Lowbit Studio</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="438"/>
        <source>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;A studio for low-bit quantization of large language models.&lt;/p&gt;&lt;p&gt;Copyright © 2026 the Lowbit Studio authors.&lt;br&gt;This program is free software: you can redistribute it and/or modify it under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version. It comes WITHOUT ANY WARRANTY. Qt Charts is used under the GPL-3.0.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Patent notice:&lt;/b&gt; the BitMoD datatypes (extended FP3/FP4 grids and their per-group mixture) are the subject of a patent application by the method&apos;s authors&apos; university. The GPL grants you the copyright licence to this code; it does not grant any patent licence for that method. Check your situation before using the BitMoD formats commercially.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;Ein Studio für die Low-Bit-Quantisierung großer Sprachmodelle.&lt;/p&gt;&lt;p&gt;Copyright © 2026 die Autoren von Lowbit Studio.&lt;br&gt;Dieses Programm ist freie Software: Sie können es unter den Bedingungen der GNU General Public License, wie von der Free Software Foundation veröffentlicht, weitergeben und/oder verändern, entweder gemäß Version 3 der Lizenz oder (nach Ihrer Wahl) jeder späteren Version. Es wird OHNE JEDE GEWÄHRLEISTUNG bereitgestellt. Qt Charts wird unter der GPL-3.0 verwendet.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Patenthinweis:&lt;/b&gt; Die BitMoD-Datentypen (erweiterte FP3/FP4-Raster und ihre gruppenweise Mischung) sind Gegenstand einer Patentanmeldung der Universität der Autoren des Verfahrens. Die GPL gewährt Ihnen die urheberrechtliche Lizenz für diesen Code; sie gewährt keine Patentlizenz für dieses Verfahren. Prüfen Sie Ihre Lage, bevor Sie die BitMoD-Formate kommerziell nutzen.&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="42"/>
        <source>Set %1 on the selection</source>
        <translation>%1 für die Auswahl setzen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="50"/>
        <source>Set %1 on all linear tensors</source>
        <translation>%1 für alle linearen Tensoren setzen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="55"/>
        <source>Invalid pattern: %1</source>
        <translation>Ungültiges Muster: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="61"/>
        <source>Set %1 on tensors matching “%2”</source>
        <translation>%1 für Tensoren setzen, die auf „%2“ passen</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="67"/>
        <source>No quantizable tensor selected or matched.</source>
        <translation>Kein quantisierbarer Tensor gewählt oder gefunden.</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/main_window_jobs.cpp" line="83"/>
        <source>Clear the format of %n tensor(s)</source>
        <translation>
            <numerusform>Format von %n Tensor entfernen</numerusform>
            <numerusform>Format von %n Tensoren entfernen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="120"/>
        <location filename="../app/studio/main_window_jobs.cpp" line="158"/>
        <source>Quantizing</source>
        <translation>Quantisiere</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="124"/>
        <source>Starting…</source>
        <translation>Starte…</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="157"/>
        <source>Calibrating</source>
        <translation>Kalibriere</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="158"/>
        <source>Quantizing %1</source>
        <translation>Quantisiere %1</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="159"/>
        <source>Measuring perplexity</source>
        <translation>Messe Perplexität</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="160"/>
        <source>Writing the container</source>
        <translation>Schreibe den Container</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="164"/>
        <source>%1 — %2 %</source>
        <translation>%1 — %2 %</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window_jobs.cpp" line="166"/>
        <source>ETA %1 s</source>
        <translation>noch %1 s</translation>
    </message>
    <message>
        <location filename="../app/studio/main_window.cpp" line="538"/>
        <source>%1 in memory</source>
        <translation>%1 im Speicher</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ModelTreePanel</name>
    <message>
        <location filename="../app/studio/views/model_tree_panel.cpp" line="133"/>
        <source>Filter tensors (e.g. q_proj, layers.3, attn)…</source>
        <translation>Tensoren filtern (z. B. q_proj, layers.3, attn)…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::QuantizeDialog</name>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="59"/>
        <source>Quantize Model</source>
        <translation>Modell quantisieren</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="70"/>
        <source>none (RTN and clipping run without calibration)</source>
        <translation>keiner (RTN und Clipping laufen ohne Kalibrierung)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="75"/>
        <source> tokens</source>
        <translation> Token</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="76"/>
        <source>Measure perplexity after quantizing</source>
        <translation>Nach dem Quantisieren die Perplexität messen</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="83"/>
        <source> documents</source>
        <translation> Dokumente</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="86"/>
        <source>Quantize with the designer&apos;s format (%1)</source>
        <translation>Mit dem Format des Designers quantisieren (%1)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="87"/>
        <source>Quantize with the designer&apos;s format (invalid)</source>
        <translation>Mit dem Format des Designers quantisieren (ungültig)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="88"/>
        <source>Keep in original precision</source>
        <translation>In Originalgenauigkeit belassen</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="90"/>
        <source>Also quantize the token embedding and a separate classifier</source>
        <translation>Auch die Token-Einbettung und einen eigenen Klassifikator quantisieren</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="105"/>
        <source>Method:</source>
        <translation>Methode:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="107"/>
        <source>Calibration text:</source>
        <translation>Kalibrierungstext:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="107"/>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="110"/>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Textdateien (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="108"/>
        <source>Calibration tokens:</source>
        <translation>Kalibrierungs-Token:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="110"/>
        <source>Evaluation text:</source>
        <translation>Auswertungstext:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="111"/>
        <source>Evaluate on:</source>
        <translation>Auswerten an:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="112"/>
        <source>Tensors without a plan:</source>
        <translation>Tensoren ohne Plan:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="114"/>
        <source>Output container:</source>
        <translation>Ausgabe-Container:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="114"/>
        <source>Studio container (*.lowbit.safetensors)</source>
        <translation>Studio-Container (*.lowbit.safetensors)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="116"/>
        <source>Quantize</source>
        <translation>Quantisieren</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="142"/>
        <source>No model is open.</source>
        <translation>Kein Modell geöffnet.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="150"/>
        <source>Nothing to quantize: plan formats in the designer or quantize the other tensors too.</source>
        <translation>Nichts zu quantisieren: planen Sie Formate im Designer oder quantisieren Sie auch die übrigen Tensoren.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="155"/>
        <source>The designer&apos;s format is not valid.</source>
        <translation>Das Format des Designers ist ungültig.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="174"/>
        <source>%1 needs a calibration text.</source>
        <translation>%1 braucht einen Kalibrierungstext.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="176"/>
        <source>The calibration text %1 does not exist.</source>
        <translation>Der Kalibrierungstext %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="181"/>
        <source>The evaluation text %1 does not exist.</source>
        <translation>Der Auswertungstext %1 existiert nicht.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="186"/>
        <source>The output file name must end in %1.</source>
        <translation>Der Name der Ausgabedatei muss auf %1 enden.</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="196"/>
        <source>No tensor has a planned format: every linear tensor gets the designer&apos;s format.</source>
        <translation>Kein Tensor hat ein geplantes Format: jeder lineare Tensor erhält das Format des Designers.</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/studio/dialogs/quantize_dialog.cpp" line="197"/>
        <source>%n tensor(s) have a planned format from the designer.</source>
        <translation>
            <numerusform>%n Tensor hat ein geplantes Format aus dem Designer.</numerusform>
            <numerusform>%n Tensoren haben ein geplantes Format aus dem Designer.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>lowbit::studio::RunHistoryModel</name>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="83"/>
        <source>Measured on %1</source>
        <translation>Gemessen auf %1</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="84"/>
        <source>Measured on %1: the chosen device failed (%2)</source>
        <translation>Gemessen auf %1: das gewählte Gerät ist gescheitert (%2)</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="94"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="130"/>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="131"/>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="132"/>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="133"/>
        <source>Rel. MSE</source>
        <translation>Rel. MSE</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="134"/>
        <source>Proxy error</source>
        <translation>Proxy-Fehler</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="135"/>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="136"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../app/studio/models/run_history_model.cpp" line="137"/>
        <source>Output</source>
        <translation>Ausgabe</translation>
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
        <translation>Vulkan: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="220"/>
        <source>Open model (%1)</source>
        <translation>Geöffnetes Modell (%1)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="222"/>
        <source>Run: %1</source>
        <translation>Lauf: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="237"/>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="238"/>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="243"/>
        <source>Activations:</source>
        <translation>Aktivierungen:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="239"/>
        <source>KV cache:</source>
        <translation>KV-Cache:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="240"/>
        <location filename="../app/studio/views/run_panel.cpp" line="244"/>
        <source>fp32 (exact)</source>
        <translation>fp32 (exakt)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="241"/>
        <source>fp16 (half the memory)</source>
        <translation>fp16 (halber Speicher)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="242"/>
        <source>How keys and values are stored: fp16 rounds them as llama.cpp&apos;s default cache does</source>
        <translation>Wie Schlüssel und Werte gespeichert werden: fp16 rundet sie wie der Standard-Cache von llama.cpp</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="245"/>
        <source>int8 (integer kernels: faster)</source>
        <translation>int8 (Ganzzahl-Kernel: schneller)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="246"/>
        <source>int8 quantizes the inputs of 2- to 4-bit INT linears, as llama.cpp does, for integer kernels: per 32 values on CPU Vulkan devices, per 8 on GPUs that accelerate the integer dot product (there for decoding only); the Vulkan engine only</source>
        <translation>int8 quantisiert die Eingaben von 2- bis 4-Bit-INT-Linearschichten wie llama.cpp für Ganzzahl-Kernel: je 32 Werte auf CPU-Vulkan-Geräten, je 8 auf GPUs mit beschleunigtem Ganzzahl-Skalarprodukt (dort nur beim Dekodieren); nur die Vulkan-Engine</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="249"/>
        <source>Prompt:</source>
        <translation>Eingabe:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="250"/>
        <source>Tokens:</source>
        <translation>Token:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="251"/>
        <source>Temperature:</source>
        <translation>Temperatur:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="252"/>
        <source>Generate</source>
        <translation>Erzeugen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="253"/>
        <source>Generate text (Return in the prompt)</source>
        <translation>Text erzeugen (Eingabetaste in der Eingabe)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="254"/>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="255"/>
        <source>Run on the CPU</source>
        <translation>Auf der CPU ausführen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="256"/>
        <source>Generate the same text with the CPU engine</source>
        <translation>Denselben Text mit der CPU-Engine erzeugen</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="260"/>
        <source>Generates on the chosen device; tokens per second appear when it ends.</source>
        <translation>Erzeugt auf dem gewählten Gerät; Token pro Sekunde erscheinen am Ende.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="286"/>
        <source>Loading the model on %1…</source>
        <translation>Lade das Modell auf %1…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="299"/>
        <source>%1 tokens at %2 tokens/s on %3; prompt %4 tokens at %5 tokens/s (model loaded in %6 s)</source>
        <translation>%1 Token mit %2 Token/s auf %3; Prompt %4 Token mit %5 Token/s (Modell in %6 s geladen)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="303"/>
        <source>Generation failed on %1: %2. The CPU engine can run it instead.</source>
        <translation>Erzeugung auf %1 fehlgeschlagen: %2. Die CPU-Engine kann sie stattdessen ausführen.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/run_panel.cpp" line="304"/>
        <source>Generation failed: %1</source>
        <translation>Erzeugung fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::SettingsDialog</name>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="25"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="29"/>
        <source>all cores (%1)</source>
        <translation>alle Kerne (%1)</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="32"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="34"/>
        <source>Where the Run panel generates and quantization runs measure perplexity; a Vulkan device that fails leaves the work to the CPU</source>
        <translation>Wo das Ausführen-Panel Text erzeugt und Quantisierungsläufe die Perplexität messen; scheitert ein Vulkan-Gerät, übernimmt die CPU</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="37"/>
        <source>Vulkan: %1</source>
        <translation>Vulkan: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="41"/>
        <source>A format name as `lowbit formats` lists it, e.g. int4, nf4-asym, fp-e2m1, mxfp4</source>
        <translation>Ein Formatname, wie `lowbit formats` ihn auflistet, z. B. int4, nf4-asym, fp-e2m1, mxfp4</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="45"/>
        <source>per channel</source>
        <translation>pro Kanal</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="49"/>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="62"/>
        <source>Threads:</source>
        <translation>Threads:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="63"/>
        <source>Compute device:</source>
        <translation>Rechengerät:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="64"/>
        <source>Default format:</source>
        <translation>Standardformat:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="65"/>
        <source>Default group size:</source>
        <translation>Standard-Gruppengröße:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="66"/>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <location filename="../app/studio/dialogs/settings_dialog.cpp" line="82"/>
        <source>Default format: %1</source>
        <translation>Standardformat: %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::TensorPanel</name>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="157"/>
        <location filename="../app/studio/views/tensor_panel.cpp" line="269"/>
        <source>No tensor selected</source>
        <translation>Kein Tensor ausgewählt</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="222"/>
        <source> (channel %1)</source>
        <translation> (Kanal %1)</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="230"/>
        <source>Select a tensor in the tree to see its statistics.</source>
        <translation>Wählen Sie im Baum einen Tensor aus, um seine Statistik zu sehen.</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="233"/>
        <source>%1 · layer %2</source>
        <translation>%1 · Schicht %2</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="233"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="235"/>
        <source>Computing statistics…</source>
        <translation>Statistik wird berechnet…</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="237"/>
        <source>Statistics unavailable: %1</source>
        <translation>Statistik nicht verfügbar: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="239"/>
        <source>Warning: non-finite values excluded from the statistics: %1</source>
        <translation>Warnung: nicht endliche Werte aus der Statistik ausgeschlossen: %1</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="253"/>
        <source>Log count axis</source>
        <translation>Logarithmische Anzahl-Achse</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="254"/>
        <source>Shape:</source>
        <translation>Form:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="255"/>
        <source>DType:</source>
        <translation>Datentyp:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="256"/>
        <source>Params:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="257"/>
        <source>Min:</source>
        <translation>Min.:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="258"/>
        <source>Max:</source>
        <translation>Max.:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="259"/>
        <source>Mean:</source>
        <translation>Mittelwert:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="260"/>
        <source>Std:</source>
        <translation>Std.-Abw.:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="261"/>
        <source>Excess kurtosis:</source>
        <translation>Exzess-Kurtosis:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="262"/>
        <source>Absmax/std:</source>
        <translation>Absmax/Std.-Abw.:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="263"/>
        <source>Zeros:</source>
        <translation>Nullen:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="264"/>
        <source>NaN / Inf:</source>
        <translation>NaN / Inf:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="265"/>
        <source>Max/median channel:</source>
        <translation>Max./Median-Kanal:</translation>
    </message>
    <message>
        <location filename="../app/studio/views/tensor_panel.cpp" line="267"/>
        <source>Largest per-output-channel absmax divided by the median: values well above 1 flag outlier channels</source>
        <translation>Größtes Absmax eines Ausgabekanals geteilt durch den Median: Werte deutlich über 1 zeigen Ausreißerkanäle</translation>
    </message>
</context>
</TS>
