// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Small hand-written tokenizer.json files (kept out of the test source: moc cannot parse some
/// raw-string contents).

namespace {
// Byte-level (GPT-2 style): "Ġ" is the mapped space (U+0120).
[[maybe_unused]] const char *kByteLevel = R"({
  "version": "1.0",
  "added_tokens": [{"id": 0, "content": "<|endoftext|>", "special": true}],
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "vocab": {"<|endoftext|>": 0, "h": 1, "e": 2, "l": 3, "o": 4, "Ġ": 5, "w": 6, "r": 7, "d": 8,
     "he": 9, "ll": 10, "hell": 11, "hello": 12, "Ġw": 13, "or": 14, "Ġwor": 15, "Ġworld": 16, "'": 17, "s": 18, "'s": 19,
     "1": 20, "2": 21, "Ċ": 22, "!": 23},
   "merges": ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", ["Ġwor", "ld"], "' s"]}
})";

// SentencePiece-style (Llama-2): spaces are "▁", a "▁" is prepended, byte fallback.
[[maybe_unused]] const char *kSentencePiece = R"({
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                   {"id": 2, "content": "</s>", "special": true}],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null,
  "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
  "model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0xE6>": 3, "<0x97>": 4, "<0xA5>": 5, "▁": 6, "a": 7, "b": 8, "▁a": 9, "ab": 10, "▁ab": 11, "c": 12},
    "merges": ["▁ a", "a b", "▁a b"]}
})";

// Byte-level with the Llama-3 split pattern, ignore_merges and a template BOS. The pattern is the
// JSON text of Llama-3's (backslashes doubled by JSON).
[[maybe_unused]] const char *kLlama3 = R"({
  "added_tokens": [{"id": 0, "content": "<|begin_of_text|>", "special": true}, {"id": 1, "content": "<|end_of_text|>", "special": true},
                   {"id": 2, "content": "<tool>", "special": false}],
  "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
     {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
      "behavior": "Isolated", "invert": false},
     {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
  "post_processor": {"type": "Sequence", "processors": [{"type": "ByteLevel", "trim_offsets": false},
     {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]}]},
  "decoder": {"type": "ByteLevel"},
  "model": {"type": "BPE", "ignore_merges": true, "vocab": {"<|begin_of_text|>": 0, "<|end_of_text|>": 1, "<tool>": 2,
     "1": 3, "2": 4, "3": 5, "4": 6, "5": 7, "12": 8, "123": 9, "45": 10, "Ġ": 11, "x": 12, "y": 13, "z": 14, "xyz": 15, "Ġx": 16},
   "merges": ["1 2", "12 3", "4 5", "Ġ x"]}
})";

// SentencePiece-style with a Metaspace pre-tokenizer that prepends "▁" to the first piece only.
[[maybe_unused]] const char *kMetaspace = R"({
  "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                   {"id": 2, "content": "</s>", "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false},
  "model": {"type": "BPE", "byte_fallback": true, "unk_token": "<unk>",
    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "▁a": 5},
    "merges": ["▁ a"]}
})";
} // namespace
