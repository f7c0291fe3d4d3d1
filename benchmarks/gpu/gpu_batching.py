#!/usr/bin/env python3
"""Does dynamic batching of the cloud model pay on a GPU?

Builds the cloud classifier's architecture -- bge-small-en-v1.5 (BERT, 12 layers, hidden 384,
12 heads, FFN 1536), CLS pooling, L2 normalisation, a 2-class linear head and softmax -- with
random weights (throughput does not depend on weight values, and no model hub is reachable),
exports it to ONNX with dynamic batch and sequence axes, and measures messages per second at
batch sizes 1, 8 and 32 on ONNX Runtime's CUDA provider (and PyTorch on CUDA as a cross-check).
Sequence lengths are drawn from a fixed mix like the corpus at 256 tokens; a batch is padded to
its longest member, as the relay does.

Run on a machine with an NVIDIA GPU, torch, onnx and onnxruntime(-gpu):
    python3 benchmarks/gpu/gpu_batching.py
"""
import os
import random
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

SEQ_MIX_SEED = 7
N_MESSAGES = 512
BATCHES = (1, 8, 32)


def lengths():
    rnd = random.Random(SEQ_MIX_SEED)
    # About the corpus at a 256-token cap: many short messages, a third truncated at 256.
    out = []
    for _ in range(N_MESSAGES):
        r = rnd.random()
        out.append(256 if r < 0.35 else rnd.randint(24, 255))
    return out


def build_model():
    from transformers import BertConfig, BertModel

    cfg = BertConfig(vocab_size=30522, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                     intermediate_size=1536, max_position_embeddings=512)

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = BertModel(cfg, add_pooling_layer=False)
            self.head = torch.nn.Linear(384, 2)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state[:, 0, :]
            h = torch.nn.functional.normalize(h, dim=-1)
            return torch.softmax(self.head(h), dim=-1)

    torch.manual_seed(0)
    return Classifier().eval()


def batches(lens, size):
    rnd = np.random.default_rng(1)
    for i in range(0, len(lens), size):
        chunk = lens[i:i + size]
        longest = max(chunk)
        ids = rnd.integers(1000, 30000, size=(len(chunk), longest), dtype=np.int64)
        mask = np.zeros_like(ids)
        for j, n in enumerate(chunk):
            mask[j, :n] = 1
            ids[j, n:] = 0
        yield ids, mask, np.zeros_like(ids)


def measure(run, lens, size, repeats=3):
    for feed in batches(lens[:64], size):  # warm-up, every shape class once
        run(*feed)
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for feed in batches(lens, size):
            run(*feed)
        rates.append(len(lens) / (time.perf_counter() - t0))
    return statistics.median(rates)


def main():
    import onnxruntime as ort

    print("torch", torch.__version__, "cuda", torch.cuda.is_available(),
          torch.cuda.get_device_name(0) if torch.cuda.is_available() else "-")
    print("onnxruntime", ort.__version__, ort.get_available_providers())
    lens = lengths()
    print(f"{N_MESSAGES} messages, mean length {statistics.mean(lens):.0f} tokens, max 256")
    model = build_model()
    path = os.path.join(tempfile.mkdtemp(), "cloud-arch.onnx")
    dummy = tuple(torch.ones(2, 16, dtype=torch.long) for _ in range(3))
    axes = {0: "batch", 1: "seq"}
    torch.onnx.export(model, dummy, path, input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["probabilities"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                    "probabilities": {0: "batch"}})
    results = {}
    if "CUDAExecutionProvider" in ort.get_available_providers():
        so = ort.SessionOptions()
        sess = ort.InferenceSession(path, so, providers=["CUDAExecutionProvider"])
        print("ORT session providers:", sess.get_providers())

        def ort_run(ids, mask, tt):
            sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": tt})

        for b in BATCHES:
            results[("onnxruntime-cuda", b)] = measure(ort_run, lens, b)
    if torch.cuda.is_available():
        m = model.cuda()

        def torch_run(ids, mask, tt):
            with torch.inference_mode():
                m(torch.from_numpy(ids).cuda(), torch.from_numpy(mask).cuda(), torch.from_numpy(tt).cuda())
            torch.cuda.synchronize()

        for b in BATCHES:
            results[("torch-cuda-fp32", b)] = measure(torch_run, lens, b)
    print()
    print("| engine | batch 1 msg/s | batch 8 msg/s | batch 32 msg/s | 8 vs 1 | 32 vs 1 |")
    print("|---|---|---|---|---|---|")
    for engine in sorted({e for e, _ in results}):
        r = [results[(engine, b)] for b in BATCHES]
        print(f"| {engine} | {r[0]:.0f} | {r[1]:.0f} | {r[2]:.0f} | {r[1] / r[0]:.2f}x | {r[2] / r[0]:.2f}x |")
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
