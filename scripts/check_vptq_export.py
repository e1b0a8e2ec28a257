#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cross-checks a `lowbit export --to vptq` folder against `lowbit export --to fakequant --dtype f32`
of the same model, independently of our C++ reader: each VPTQ linear is dequantized by following
the tensor operations of microsoft/VPTQ's VQuantLinear.dequant() (vptq/layers/vqlinear.py) step by
step in numpy (gather over [codebook, vector row, position], the (0,1,3,2) and (1,0,2) permutes,
padding rows dropped, outliers concatenated first, columns taken by argsort(perm), then
·weight_scale + weight_bias), in float32, and must equal the fake-quant weights bit for bit.

    /usr/bin/python3 scripts/check_vptq_export.py VPTQ_DIR FAKEQUANT_F32_DIR     (needs numpy)
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F16": np.float16, "F32": np.float32, "I16": np.int16, "I32": np.int32, "I64": np.int64, "BF16": None}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
    return out


def unpack_rows(words, bits, count):
    """LSB-first bit stream of each last-axis row of int32 words -> `count` codes of `bits` bits."""
    w = words.astype(np.int64) & 0xFFFFFFFF
    stream = ((w[..., None] >> np.arange(32)) & 1).reshape(*w.shape[:-1], -1)  # bit i of word k at 32k + i
    stream = stream[..., : count * bits].reshape(*w.shape[:-1], count, bits)
    return (stream << np.arange(bits)).sum(axis=-1)


def dequant(cfg, t):
    v, k = cfg["vector_lens"][1], cfg["num_centroids"][1]
    k_res = cfg["num_res_centroids"][1]
    groups, gs, n_out, n_in = cfg["group_num"], cfg["group_size"], cfg["out_features"], cfg["in_features"]
    b = int(np.log2(k))
    b_res = int(np.log2(k_res)) if k_res > 0 else 0
    merged = unpack_rows(t["indices"], b + b_res, gs)  # [groups, R, gs]
    idx, res = merged & ((1 << b) - 1), merged >> b

    def select(book, entries, codes):  # centroids[g, codes[g, n, j], :] laid out as rows n·v + d, columns g·gs + j
        book = book.astype(np.float32).reshape(groups, entries, v)
        picked = np.take_along_axis(book, codes.reshape(groups, -1)[..., None], axis=1)  # [g, R·gs, v]
        picked = picked.reshape(groups, -1, gs, v).transpose(0, 1, 3, 2)  # [g, R, v, gs]
        return picked.reshape(groups, -1, gs).transpose(1, 0, 2).reshape(-1, groups * gs)

    q = select(t["centroids.weight"], k, idx)
    if k_res > 0:
        q = q + select(t["res_centroids.weight"], k_res, res)
    q = q[:n_out, :]
    if cfg["outlier_size"] > 0:
        v0, k0, os_ = cfg["vector_lens"][0], cfg["num_centroids"][0], cfg["outlier_size"]
        book = t["outlier_centroids.weight"].astype(np.float32).reshape(1, k0, v0)
        codes = t["outlier_indices"].view(np.uint16).astype(np.int64)
        picked = np.take_along_axis(book, codes.reshape(1, -1)[..., None], axis=1)
        picked = picked.reshape(1, -1, os_, v0).transpose(0, 1, 3, 2).reshape(-1, os_)[:n_out, :]
        q = np.concatenate([picked, q], axis=1)
    if cfg["enable_perm"]:
        q = q[:, np.argsort(t["perm"].view(np.uint16).astype(np.int64), kind="stable")]
    if cfg["enable_norm"]:
        q = q * t["weight_scale"].astype(np.float32) + t["weight_bias"].astype(np.float32)
    assert q.shape == (n_out, n_in)
    return q


def main():
    vptq_dir, fq_dir = sys.argv[1], sys.argv[2]
    layers = json.load(open(vptq_dir + "/config.json"))["quantization_config"]["config_for_layers"]
    vt = read_safetensors(vptq_dir + "/model.safetensors")
    ft = read_safetensors(fq_dir + "/model.safetensors")
    bad = 0
    for name, cfg in layers.items():
        t = {key[len(name) + 1:]: val for key, val in vt.items() if key.startswith(name + ".")}
        w = dequant(cfg, t)
        ref = ft[name + ".weight"]
        same = ref.dtype == np.float32 and w.tobytes() == ref.astype(np.float32).tobytes()
        bad += not same
        print(("ok   " if same else "DIFF ") + name)
    print(f"{len(layers) - bad}/{len(layers)} VPTQ linears equal the fake-quant f32 weights bit for bit")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
