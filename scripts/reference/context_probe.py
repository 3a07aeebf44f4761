#!/usr/bin/python3
"""PyTorch reference for the context probe (src/core/quality/contextProbe.ts): a fresh
post-LayerNorm encoder of the `tiny` shape (128 hidden, 4 layers, 2 heads, FFN 512, ELECTRA's
discriminator head, N(0, 0.02) initialisation) learns to label a token 1 when the token before
it is in a fixed eighth of the vocabulary: random sequences of 64 tokens, vocabulary 200,
batch 16, AdamW (ELECTRA's betas, epsilon 1e-6, weight decay 0.01), clipping at 1, 30 linear
warm-up steps then a constant rate. Prints the AUC on a fixed held-out batch.
Usage: context_probe.py LR STEPS [SEED]  (Debian's python3-torch, one thread)."""
import sys, math, numpy as np, torch, torch.nn as nn, torch.nn.functional as F

lr = float(sys.argv[1]); steps = int(sys.argv[2]); seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
torch.set_num_threads(1); torch.manual_seed(seed)
T, B, V, H, L, A, FF = 64, 16, 200, 128, 4, 2, 512
CUE = 5 + (V - 5) // 8

class Probe(nn.Module):
    def __init__(s):
        super().__init__()
        s.tok = nn.Embedding(V, H); s.pos = nn.Embedding(T, H); s.ln = nn.LayerNorm(H, eps=1e-12)
        s.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(H, A, FF, dropout=0.0, activation="gelu", batch_first=True, layer_norm_eps=1e-12), L)
        s.head = nn.Sequential(nn.Linear(H, H), nn.GELU(), nn.Linear(H, 1))
        for m in s.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)): nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None: nn.init.zeros_(m.bias)
            if isinstance(m, nn.MultiheadAttention): nn.init.normal_(m.in_proj_weight, std=0.02); nn.init.zeros_(m.in_proj_bias)
    def forward(s, ids): return s.head(s.enc(s.ln(s.tok(ids) + s.pos(torch.arange(T))[None]))).squeeze(-1)

def batch(rng, n):
    ids = rng.integers(5, V, size=(n, T)); ids[:, 0] = 2
    labels = np.zeros((n, T)); labels[:, 2:] = ids[:, 1:-1] < CUE
    return torch.tensor(ids), torch.tensor(labels, dtype=torch.float32)

def auc(s, y):
    o = np.argsort(s); r = np.empty(len(s)); r[o] = np.arange(1, len(s) + 1); p = y.sum(); n = len(y) - p
    return (r[y == 1].sum() - p * (p + 1) / 2) / (p * n)

model = Probe()
opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.01)
rng = np.random.default_rng(seed); held_ids, held_labels = batch(np.random.default_rng(seed + 1), 64)
warmup = 30
for step in range(steps):
    ids, labels = batch(rng, B)
    loss = 50 * F.binary_cross_entropy_with_logits(model(ids), labels)
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    for g in opt.param_groups: g["lr"] = lr * min(1.0, (step + 1) / warmup)
    opt.step()
    if (step + 1) % 100 == 0:
        with torch.no_grad(): a = auc(model(held_ids).numpy().ravel(), held_labels.numpy().ravel())
        print(f"step {step + 1} auc {a:.3f}", flush=True)
