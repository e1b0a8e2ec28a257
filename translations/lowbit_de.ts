<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DisplayFormat</name>
    <message>
        <source>%1 layers</source>
        <translation>%1 Schichten</translation>
    </message>
    <message>
        <source>dim %1</source>
        <translation>Dim. %1</translation>
    </message>
    <message>
        <source>%1/%2 heads</source>
        <translation>%1/%2 Köpfe</translation>
    </message>
    <message>
        <source>ffn %1</source>
        <translation>FFN %1</translation>
    </message>
    <message>
        <source>vocab %1</source>
        <translation>Vokabular %1</translation>
    </message>
    <message>
        <source>ctx %1</source>
        <translation>Kontext %1</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ChannelChart</name>
    <message>
        <source>|w| per element</source>
        <translation>|w| je Element</translation>
    </message>
    <message>
        <source>Absmax per output channel</source>
        <translation>Absmax je Ausgabekanal</translation>
    </message>
    <message>
        <source>|w|</source>
        <translation>|w|</translation>
    </message>
    <message>
        <source>channel absmax</source>
        <translation>Kanal-Absmax</translation>
    </message>
    <message>
        <source>outliers (&gt; %1× median)</source>
        <translation>Ausreißer (&gt; %1× Median)</translation>
    </message>
    <message>
        <source>element</source>
        <translation>Element</translation>
    </message>
    <message>
        <source>output channel</source>
        <translation>Ausgabekanal</translation>
    </message>
    <message>
        <source>absmax</source>
        <translation>Absmax</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::EmptyStateWidget</name>
    <message>
        <source>Open a model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <source>Open a Hugging Face folder (config.json with .safetensors shards), a .gguf file or a llama2.c .bin checkpoint — or drop one onto this window.</source>
        <translation>Öffnen Sie einen Hugging-Face-Ordner (config.json mit .safetensors-Dateien), eine .gguf-Datei oder einen llama2.c-Checkpoint (.bin) – oder ziehen Sie ihn auf dieses Fenster.</translation>
    </message>
    <message>
        <source>Open folder…</source>
        <translation>Ordner öffnen…</translation>
    </message>
    <message>
        <source>Open file…</source>
        <translation>Datei öffnen…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::HistogramChart</name>
    <message>
        <source>Weight histogram</source>
        <translation>Gewichtshistogramm</translation>
    </message>
    <message>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>Gewicht</translation>
    </message>
    <message>
        <source>count (log)</source>
        <translation>Anzahl (log)</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::LayerTreeModel</name>
    <message>
        <source>Embedding</source>
        <translation>Einbettung</translation>
    </message>
    <message>
        <source>Layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>Final</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <source>Tensors: %1 · parameters: %2</source>
        <translation>Tensoren: %1 · Parameter: %2</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>DType</source>
        <translation>Datentyp</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::MainWindow</name>
    <message>
        <source>%1 — Lowbit Studio</source>
        <translation>%1 — Lowbit Studio</translation>
    </message>
    <message>
        <source>Lowbit Studio</source>
        <translation>Lowbit Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <source>Open a Hugging Face model folder</source>
        <translation>Einen Hugging-Face-Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open F&amp;ile…</source>
        <translation>Da&amp;tei öffnen…</translation>
    </message>
    <message>
        <source>Open a .gguf, .safetensors or llama2.c .bin file</source>
        <translation>Eine .gguf-, .safetensors- oder llama2.c-.bin-Datei öffnen</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Tensors</source>
        <translation>Tensoren</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System Default</source>
        <translation>Systemvorgabe</translation>
    </message>
    <message>
        <source>&amp;About Lowbit Studio</source>
        <translation>Ü&amp;ber Lowbit Studio</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>Could not open model</source>
        <translation>Modell konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Could not open %1:

%2</source>
        <translation>%1 konnte nicht geöffnet werden:

%2</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <source>%1 params</source>
        <translation>%1 Parameter</translation>
    </message>
    <message>
        <source>%1 on disk</source>
        <translation>%1 auf der Festplatte</translation>
    </message>
    <message>
        <source>Open Model Folder</source>
        <translation>Modellordner öffnen</translation>
    </message>
    <message>
        <source>Open Model File</source>
        <translation>Modelldatei öffnen</translation>
    </message>
    <message>
        <source>Model files (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c checkpoint (*.bin);;All files (*)</source>
        <translation>Modelldateien (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c-Checkpoint (*.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>About Lowbit Studio</source>
        <translation>Über Lowbit Studio</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;A studio for low-bit quantization of large language models.&lt;/p&gt;&lt;p&gt;Copyright © 2026 the Lowbit Studio authors.&lt;br&gt;This program is free software: you can redistribute it and/or modify it under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version. It comes WITHOUT ANY WARRANTY. Qt Charts is used under the GPL-3.0.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Patent notice:&lt;/b&gt; the BitMoD datatypes (extended FP3/FP4 grids and their per-group mixture) are the subject of a patent application by the method&apos;s authors&apos; university. The GPL grants you the copyright licence to this code; it does not grant any patent licence for that method. Check your situation before using the BitMoD formats commercially.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Lowbit Studio %1&lt;/h3&gt;&lt;p&gt;Ein Studio für die Low-Bit-Quantisierung großer Sprachmodelle.&lt;/p&gt;&lt;p&gt;Copyright © 2026 die Autoren von Lowbit Studio.&lt;br&gt;Dieses Programm ist freie Software: Sie können es unter den Bedingungen der GNU General Public License, wie von der Free Software Foundation veröffentlicht, weitergeben und/oder verändern, entweder gemäß Version 3 der Lizenz oder (nach Ihrer Wahl) jeder späteren Version. Es wird OHNE JEDE GEWÄHRLEISTUNG bereitgestellt. Qt Charts wird unter der GPL-3.0 verwendet.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Patenthinweis:&lt;/b&gt; Die BitMoD-Datentypen (erweiterte FP3/FP4-Raster und ihre gruppenweise Mischung) sind Gegenstand einer Patentanmeldung der Universität der Autoren des Verfahrens. Die GPL gewährt Ihnen die urheberrechtliche Lizenz für diesen Code; sie gewährt keine Patentlizenz für dieses Verfahren. Prüfen Sie Ihre Lage, bevor Sie die BitMoD-Formate kommerziell nutzen.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::ModelTreePanel</name>
    <message>
        <source>Filter tensors (e.g. q_proj, layers.3, attn)…</source>
        <translation>Tensoren filtern (z. B. q_proj, layers.3, attn)…</translation>
    </message>
</context>
<context>
    <name>lowbit::studio::TensorPanel</name>
    <message>
        <source>No tensor selected</source>
        <translation>Kein Tensor ausgewählt</translation>
    </message>
    <message>
        <source> (channel %1)</source>
        <translation> (Kanal %1)</translation>
    </message>
    <message>
        <source>Select a tensor in the tree to see its statistics.</source>
        <translation>Wählen Sie im Baum einen Tensor aus, um seine Statistik zu sehen.</translation>
    </message>
    <message>
        <source>%1 · layer %2</source>
        <translation>%1 · Schicht %2</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Computing statistics…</source>
        <translation>Statistik wird berechnet…</translation>
    </message>
    <message>
        <source>Statistics unavailable: %1</source>
        <translation>Statistik nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>Warning: non-finite values excluded from the statistics: %1</source>
        <translation>Warnung: nicht endliche Werte aus der Statistik ausgeschlossen: %1</translation>
    </message>
    <message>
        <source>Log count axis</source>
        <translation>Logarithmische Anzahl-Achse</translation>
    </message>
    <message>
        <source>Shape:</source>
        <translation>Form:</translation>
    </message>
    <message>
        <source>DType:</source>
        <translation>Datentyp:</translation>
    </message>
    <message>
        <source>Params:</source>
        <translation>Parameter:</translation>
    </message>
    <message>
        <source>Min:</source>
        <translation>Min.:</translation>
    </message>
    <message>
        <source>Max:</source>
        <translation>Max.:</translation>
    </message>
    <message>
        <source>Mean:</source>
        <translation>Mittelwert:</translation>
    </message>
    <message>
        <source>Std:</source>
        <translation>Std.-Abw.:</translation>
    </message>
    <message>
        <source>Excess kurtosis:</source>
        <translation>Exzess-Kurtosis:</translation>
    </message>
    <message>
        <source>Absmax/std:</source>
        <translation>Absmax/Std.-Abw.:</translation>
    </message>
    <message>
        <source>Zeros:</source>
        <translation>Nullen:</translation>
    </message>
    <message>
        <source>NaN / Inf:</source>
        <translation>NaN / Inf:</translation>
    </message>
    <message>
        <source>Max/median channel:</source>
        <translation>Max./Median-Kanal:</translation>
    </message>
    <message>
        <source>Largest per-output-channel absmax divided by the median: values well above 1 flag outlier channels</source>
        <translation>Größtes Absmax eines Ausgabekanals geteilt durch den Median: Werte deutlich über 1 zeigen Ausreißerkanäle</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Low-bit quantization studio for LLMs</source>
        <translation>Low-Bit-Quantisierungsstudio für LLMs</translation>
    </message>
    <message>
        <source>User interface language (e.g. de, en).</source>
        <translation>Sprache der Benutzeroberfläche (z. B. de, en).</translation>
    </message>
    <message>
        <source>Select this tensor once the model is loaded.</source>
        <translation>Diesen Tensor auswählen, sobald das Modell geladen ist.</translation>
    </message>
    <message>
        <source>Model folder or file (.gguf, .safetensors, .bin).</source>
        <translation>Modellordner oder -datei (.gguf, .safetensors, .bin).</translation>
    </message>
</context>
</TS>
