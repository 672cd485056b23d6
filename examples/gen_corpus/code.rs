//! The code blocks of the synthetic corpus: snippets in six languages, filled
//! with identifiers and numbers from the article's PRNG stream.

use super::{CN_COMMENTS, Rng};

#[rustfmt::skip]
const LANGUAGES: &[&str] = &[
    "python", "python", "python", "cpp", "rust", "bash", "yaml", "json",
];

#[rustfmt::skip]
pub(super) const IDENTS: &[&str] = &[
    "attention", "rms_norm", "rotary", "lora_merge", "sample_top_p", "cosine_lr", "clip_grad",
    "info_nce", "kv_cache", "flash_block", "moe_router", "ddpm_step", "selective_scan",
    "cross_entropy", "label_smooth", "gather_logits", "ema_update", "warmup_linear", "quantize",
    "dequantize", "beam_search", "layer_scale", "patch_embed", "grad_accum",
];

#[rustfmt::skip]
const NAMES: &[&str] = &[
    "Attention", "RMSNorm", "Rotary", "LoRALinear", "Sampler", "Router", "Expert", "Block",
    "Decoder", "Encoder", "Projector", "Scheduler", "Trainer", "KVCache", "PatchEmbed", "Mixer",
];

/// Snippets: `{id1}` is bound once per snippet, `{Name1}` once per code block, the
/// others are drawn at each use.
const PYTHON: &[&str] = &[
    "import math
import torch
import torch.nn as nn
import torch.nn.functional as F
",
    "class {Name1}(nn.Module):
    def __init__(self, d_model: int = {d}, n_heads: int = {n}, dropout: float = {f}):
        super().__init__()
        # {cn}
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q = q.view(b, t, self.n_heads, -1).transpose(1, 2)
        k = k.view(b, t, self.n_heads, -1).transpose(1, 2)
        v = v.view(b, t, self.n_heads, -1).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float(\"-inf\"))
        out = self.drop(scores.softmax(dim=-1)) @ v
        return self.proj(out.transpose(1, 2).reshape(b, t, d))
",
    "def {id1}(model, loader, optimizer, scheduler=None, accum_steps: int = {n}):
    model.train()
    total = 0.0
    for step, (x, y) in enumerate(loader):
        x, y = x.cuda(non_blocking=True), y.cuda(non_blocking=True)
        with torch.autocast(\"cuda\", dtype=torch.bfloat16):
            logits = model(x)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        (loss / accum_steps).backward()
        if (step + 1) % accum_steps == 0:
            # {cn}
            torch.nn.utils.clip_grad_norm_(model.parameters(), {f})
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            if scheduler is not None:
                scheduler.step()
        total += loss.item()
        if step % {n} == 0:
            print(f\"step {step}: loss={loss.item():.4f}\")
    return total / len(loader)
",
    "@torch.no_grad()
def {id1}(logits: torch.Tensor, top_p: float = {f}, temperature: float = {f}) -> torch.Tensor:
    # {cn}
    probs = (logits / temperature).softmax(dim=-1)
    sorted_probs, idx = probs.sort(dim=-1, descending=True)
    cum = sorted_probs.cumsum(dim=-1)
    sorted_probs[cum - sorted_probs > top_p] = 0.0
    sorted_probs /= sorted_probs.sum(dim=-1, keepdim=True)
    choice = torch.multinomial(sorted_probs, num_samples=1)
    return idx.gather(-1, choice)
",
    "def {id1}(step: int, warmup: int = {n}, total: int = {d}, base_lr: float = {f}) -> float:
    \"\"\"{cn}\"\"\"
    if step < warmup:
        return base_lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))
",
    "config = {
    \"d_model\": {d},
    \"n_layers\": {n},
    \"n_heads\": {n},
    \"lr\": {f},
    \"weight_decay\": {f},
    \"betas\": (0.9, 0.95),
}
model = {Name1}(**{k: v for k, v in config.items() if k.startswith(\"d_\")})
optimizer = torch.optim.AdamW(model.parameters(), lr=config[\"lr\"], betas=config[\"betas\"])
",
];

const CPP: &[&str] = &[
    "#include <cmath>
#include <cstdint>
#include <vector>
",
    "// {cn}
template <typename T>
void {id1}(const T* x, T* y, int n, T eps = T({f})) {
    float sum_sq = 0.0f;
    for (int i = 0; i < n; ++i) {
        sum_sq += static_cast<float>(x[i]) * static_cast<float>(x[i]);
    }
    const float inv = 1.0f / std::sqrt(sum_sq / n + static_cast<float>(eps));
    for (int i = 0; i < n; ++i) {
        y[i] = static_cast<T>(static_cast<float>(x[i]) * inv);
    }
}
",
    "__global__ void {id1}_kernel(const float* __restrict__ q, const float* __restrict__ k,
                           float* __restrict__ out, int n, int d) {
    const int row = blockIdx.x * blockDim.x + threadIdx.x;
    if (row >= n) return;
    float acc = 0.0f;
#pragma unroll {n}
    for (int j = 0; j < d; ++j) {
        acc += q[row * d + j] * k[row * d + j];  // {cn}
    }
    out[row] = acc * rsqrtf(static_cast<float>(d));
}
",
    "struct {Name1} {
    std::vector<float> data;
    int rows = {n};
    int cols = {d};

    float& at(int r, int c) { return data[static_cast<std::size_t>(r) * cols + c]; }

    void softmax_rows() {
        for (int r = 0; r < rows; ++r) {
            float mx = -INFINITY, sum = 0.0f;
            for (int c = 0; c < cols; ++c) mx = std::fmax(mx, at(r, c));
            for (int c = 0; c < cols; ++c) sum += (at(r, c) = std::exp(at(r, c) - mx));
            for (int c = 0; c < cols; ++c) at(r, c) /= sum;
        }
    }
};
",
];

const RUST: &[&str] = &[
    "/// {cn}
pub fn {id1}(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&z| ((z - max) / temperature).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}
",
    "#[derive(Debug, Clone)]
pub struct {Name1} {
    pub d_model: usize,
    pub n_heads: usize,
    pub eps: f32,
}

impl Default for {Name1} {
    fn default() -> Self {
        Self { d_model: {d}, n_heads: {n}, eps: {f} }
    }
}
",
    "pub fn {id1}(x: &mut [f32], weight: &[f32], eps: f32) {
    // {cn}
    let mean_sq = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let scale = 1.0 / (mean_sq + eps).sqrt();
    for (v, w) in x.iter_mut().zip(weight) {
        *v *= scale * w;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_length() {
        let mut x = vec![1.0_f32; {n}];
        super::{id1}(&mut x, &vec![1.0; {n}], 1e-6);
        assert_eq!(x.len(), {n});
    }
}
",
];

const BASH: &[&str] = &[
    "#!/usr/bin/env bash
set -euo pipefail
# {cn}
export CUDA_VISIBLE_DEVICES=0,1,2,3
export NCCL_DEBUG=WARN
export OMP_NUM_THREADS={n}
",
    "for lr in {f} {f} {f}; do
  torchrun --nproc_per_node={n} train.py \\
    --model {id1} \\
    --lr \"$lr\" \\
    --batch-size {d} \\
    --warmup-steps {n} \\
    --output \"runs/{id1}-${lr}\"
done
",
    "pip install -U torch transformers datasets accelerate
python -m {id1}.prepare --data ./data --tokenizer ./tokenizer --max-len {d}
du -sh ./data/*.bin
nvidia-smi --query-gpu=memory.used,utilization.gpu --format=csv -l {n}
",
];

const YAML: &[&str] = &[
    "# {cn}
model:
  name: {id1}
  d_model: {d}
  n_layers: {n}
  n_heads: {n}
  dropout: {f}
  norm: rmsnorm
",
    "optimizer:
  type: adamw
  lr: {f}
  betas: [0.9, 0.95]
  weight_decay: {f}
scheduler:
  type: cosine
  warmup_steps: {d}
  min_lr_ratio: {f}
",
    "data:
  train: data/{id1}/train-*.parquet
  valid: data/{id1}/valid.parquet
  seq_len: {d}
  batch_size: {n}
  num_workers: {n}
trainer:
  precision: bf16-mixed
  max_steps: {d}
  grad_clip: {f}
  log_every: {n}
",
];

const JSON: &[&str] = &[
    "{
  \"model\": \"{id1}\",
  \"hidden_size\": {d},
  \"num_hidden_layers\": {n},
  \"num_attention_heads\": {n},
  \"rope_theta\": {d},
  \"rms_norm_eps\": {f},
  \"torch_dtype\": \"bfloat16\",
  \"vocab_size\": {d}
}
",
    "[
  {\"step\": {d}, \"loss\": {f}, \"lr\": {f}, \"note\": \"{cn}\"},
  {\"step\": {d}, \"loss\": {f}, \"lr\": {f}, \"note\": \"warmup done\"},
  {\"step\": {d}, \"loss\": {f}, \"lr\": {f}, \"grad_norm\": {f}},
  {\"step\": {d}, \"loss\": {f}, \"lr\": {f}, \"grad_norm\": {f}}
]
",
];

fn snippets(lang: &str) -> &'static [&'static str] {
    match lang {
        "python" => PYTHON,
        "cpp" => CPP,
        "rust" => RUST,
        "bash" => BASH,
        "yaml" => YAML,
        _ => JSON,
    }
}

/// Expands a snippet's placeholders. Only `{id1}`, `{Name1}`, `{d}`, `{n}`, `{f}` and
/// `{cn}` are placeholders: other braces are code.
fn fill(template: &str, rng: &mut Rng, id: &str, name: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let (value, len) = if after.starts_with("{id1}") {
            (id.to_string(), 5)
        } else if after.starts_with("{Name1}") {
            (name.to_string(), 7)
        } else if after.starts_with("{d}") {
            (
                rng.pick(&[64, 128, 256, 512, 1024, 2048, 4096, 8192])
                    .to_string(),
                3,
            )
        } else if after.starts_with("{n}") {
            (rng.range(2, 32).to_string(), 3)
        } else if after.starts_with("{f}") {
            (
                rng.pick(&[
                    "0.1", "0.01", "1e-5", "3e-4", "0.9", "0.5", "1.0", "6e-4", "0.02",
                ])
                .to_string(),
                3,
            )
        } else if after.starts_with("{cn}") {
            (rng.pick(CN_COMMENTS).to_string(), 4)
        } else {
            ("{".to_string(), 1)
        };
        out.push_str(&value);
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// A code block of 10–60 lines: snippets of one language until the length is reached.
pub(super) fn code_block(rng: &mut Rng) -> (String, String) {
    let lang = *rng.pick(LANGUAGES);
    let pool = snippets(lang);
    let target = rng.range(10, 60);
    let name = format!("{}{}", rng.pick(NAMES), rng.range(1, 9));
    let mut code = String::new();
    let mut lines = 0;
    let mut next = rng.range(0, pool.len() - 1);
    while lines < target {
        let id = format!("{}_{}", rng.pick(IDENTS), rng.range(1, 99));
        let snippet = fill(pool[next % pool.len()], rng, &id, &name);
        let n = snippet.lines().count();
        if lines >= 10 && lines + n > 60 {
            break;
        }
        if !code.is_empty() {
            code.push('\n');
            lines += 1;
        }
        code.push_str(&snippet);
        lines += n;
        next += 1;
    }
    // Snippets of at least 10 lines: keep the block within 60 by cutting at a line.
    let kept: Vec<&str> = code.lines().take(60).collect();
    (lang.to_string(), kept.join("\n") + "\n")
}
