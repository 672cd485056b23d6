//! A deterministic synthetic corpus of Chinese ML notes: test data for benchmarks.
//!
//! Every article is written from its own PRNG stream (SplitMix64, seeded from the
//! corpus seed and the article's number), so the same seed gives the same bytes and
//! article `i` is the same whatever the corpus size. An article has:
//!
//! - front matter: title, date (2019–2025), 2–4 tags from a pool of 60 (skewed, as
//!   real tags are), 1 category of 8, sometimes a `summary`;
//! - 2,000–6,000 Chinese characters of prose built from ML vocabulary and sentence
//!   templates, mixed with English terms and code spans, under `##`/`###` headings,
//!   with lists, tables, block quotes and links; a `<!-- more -->` marker in some;
//!   some articles hard-wrap their paragraphs (a soft break between Chinese characters);
//! - 20–30 formulas: inline `$…$` touching Chinese text (some `\(…\)`, some padded
//!   `$ … $`), display `$$…$$` on one line or as blocks (multi-line `aligned`,
//!   `cases`, matrices), a few `\[…\]` and bare `\begin{align}`; half come from a
//!   shared pool (so they repeat across articles), half carry the article's number
//!   in an index or subscript (so they are distinct);
//! - 2–4 fenced code blocks in python, cpp, rust, bash, yaml or json, 10–60 lines.
//!
//! The manifest counts what was written, so a benchmark can turn times into rates.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

#[path = "code.rs"]
mod code;
use code::{IDENTS, code_block};

/// The seed of the benchmark corpus.
pub const DEFAULT_SEED: u64 = 0x5EED_2026;

/// The name of the manifest, at the site root.
pub const MANIFEST: &str = "corpus.json";

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// How many articles.
    pub articles: usize,
    /// The PRNG seed.
    pub seed: u64,
}

/// What was generated (written to `corpus.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub articles: usize,
    pub seed: u64,
    /// Bytes of all `content/*.md` files.
    pub markdown_bytes: usize,
    /// Characters (Unicode scalar values) of all articles.
    pub chars: usize,
    /// CJK ideographs and punctuation of all articles.
    pub cjk_chars: usize,
    /// Formulas (occurrences), as blogsmith should count them.
    pub formulas: usize,
    pub inline_formulas: usize,
    pub display_formulas: usize,
    /// Occurrences drawn from the shared pool.
    pub pool_formulas: usize,
    /// Bytes of TeX in all formulas (without delimiters).
    pub formula_bytes: usize,
    /// Fenced code blocks, all in a language syntect knows.
    pub code_blocks: usize,
    /// Bytes of code inside the fences (what the highlighter reads).
    pub code_bytes: usize,
    pub code_lines: usize,
    /// Articles with a `<!-- more -->` marker.
    pub more_markers: usize,
    pub tables: usize,
    pub distinct_tags: usize,
    pub categories: usize,
}

impl Manifest {
    /// The manifest as pretty JSON.
    pub fn to_json(&self) -> String {
        let fields: [(&str, u64); 19] = [
            ("articles", self.articles as u64),
            ("seed", self.seed),
            ("markdown_bytes", self.markdown_bytes as u64),
            ("chars", self.chars as u64),
            ("cjk_chars", self.cjk_chars as u64),
            ("formulas", self.formulas as u64),
            ("inline_formulas", self.inline_formulas as u64),
            ("display_formulas", self.display_formulas as u64),
            ("pool_formulas", self.pool_formulas as u64),
            ("formula_bytes", self.formula_bytes as u64),
            ("code_blocks", self.code_blocks as u64),
            ("code_bytes", self.code_bytes as u64),
            ("code_lines", self.code_lines as u64),
            ("more_markers", self.more_markers as u64),
            ("tables", self.tables as u64),
            ("distinct_tags", self.distinct_tags as u64),
            ("categories", self.categories as u64),
            ("generator_version", 1),
            ("pool_size", (POOL_INLINE.len() + POOL_DISPLAY.len()) as u64),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("  \"{k}\": {v}"))
            .collect();
        format!("{{\n{}\n}}\n", body.join(",\n"))
    }

    fn add(&mut self, a: &Article) {
        self.articles += 1;
        self.markdown_bytes += a.text.len();
        self.chars += a.text.chars().count();
        self.cjk_chars += a.text.chars().filter(|&c| is_cjk(c)).count();
        self.formulas += a.inline_formulas + a.display_formulas;
        self.inline_formulas += a.inline_formulas;
        self.display_formulas += a.display_formulas;
        self.pool_formulas += a.pool_formulas;
        self.formula_bytes += a.formula_bytes;
        self.code_blocks += a.code_blocks;
        self.code_bytes += a.code_bytes;
        self.code_lines += a.code_lines;
        self.more_markers += usize::from(a.has_more);
        self.tables += a.tables;
    }
}

/// Writes the site to `out`: `blogsmith.yaml`, `content/*.md`, `corpus.json`.
///
/// `out` must be missing, empty, or a corpus written before (its `content/` is replaced).
pub fn generate(spec: &Spec, out: &Path) -> io::Result<Manifest> {
    if out.exists() {
        let empty = std::fs::read_dir(out)?.next().is_none();
        if !empty && !out.join(MANIFEST).is_file() {
            return Err(io::Error::other(format!(
                "not empty and not a generated corpus (no {MANIFEST}); refusing to write there"
            )));
        }
    }
    let content = out.join("content");
    if content.exists() {
        std::fs::remove_dir_all(&content)?;
    }
    std::fs::create_dir_all(&content)?;
    std::fs::write(out.join("blogsmith.yaml"), config(spec))?;

    let mut manifest = Manifest {
        seed: spec.seed,
        ..Manifest::default()
    };
    let mut tags = std::collections::BTreeSet::new();
    let mut categories = std::collections::BTreeSet::new();
    for i in 0..spec.articles {
        let article = article(spec.seed, i);
        std::fs::write(content.join(&article.file_name), &article.text)?;
        manifest.add(&article);
        tags.extend(article.tags.iter().copied());
        categories.insert(article.category);
    }
    manifest.distinct_tags = tags.len();
    manifest.categories = categories.len();
    std::fs::write(out.join(MANIFEST), manifest.to_json())?;
    Ok(manifest)
}

fn config(spec: &Spec) -> String {
    format!(
        "# A synthetic corpus written by examples/gen_corpus (seed {seed}): benchmark data.
title: \"合成笔记（{n} 篇）\"
subtitle: \"blogsmith 的基准测试语料\"
description: \"自动生成的中文机器学习笔记，用于测量 blogsmith 的构建速度。\"
base_url: \"https://bench.example.org/\"
language: zh-CN
timezone: Asia/Shanghai
author: \"gen_corpus\"
paginate: 10
summary_length: 350
math:
  macros:
    \"\\\\R\": \"\\\\mathbb{{R}}\"
    \"\\\\E\": \"\\\\mathbb{{E}}\"
    \"\\\\KL\": \"D_{{\\\\mathrm{{KL}}}}\"
",
        seed = spec.seed,
        n = spec.articles
    )
}

/// SplitMix64: tiny, fast, and good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }

    /// An index in `0..n`, skewed towards 0 (a few popular items, a long tail).
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * n as f64) as usize).min(n - 1)
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}')
}

// ---------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------

#[rustfmt::skip]
const CONCEPTS: &[&str] = &[
    "注意力机制", "自注意力", "多头注意力", "位置编码", "旋转位置编码", "残差连接", "层归一化", "批归一化", "梯度下降", "随机梯度下降", "学习率",
    "学习率预热", "余弦退火", "权重衰减", "损失函数", "交叉熵", "对比损失", "正则化", "过拟合", "泛化误差", "偏差", "方差", "特征向量", "隐状态",
    "词嵌入", "词表", "分词器", "前馈网络", "激活函数", "卷积核", "感受野", "池化层", "编码器", "解码器", "语言模型", "预训练", "微调",
    "低秩适配", "知识蒸馏", "量化", "剪枝", "混合精度", "梯度裁剪", "梯度累积", "反向传播", "计算图", "显存占用", "吞吐量", "推理延迟",
    "键值缓存", "采样温度", "束搜索", "策略梯度", "价值函数", "奖励模型", "马尔可夫决策过程", "贝尔曼方程", "变分下界", "后验分布", "先验分布",
    "似然函数", "最大似然估计", "期望最大化", "隐变量", "扩散模型", "噪声调度", "得分函数", "对比学习", "自监督学习", "数据增强", "负样本",
    "温度系数", "目标检测", "语义分割", "图神经网络", "消息传递", "邻接矩阵", "状态空间模型", "选择性扫描", "张量并行", "流水线并行", "数据并行",
    "检查点", "收敛速度", "鞍点", "海森矩阵", "条件数", "特征值", "奇异值分解", "主成分分析", "核函数", "支持向量机", "决策树", "梯度提升",
    "动量项", "二阶矩估计", "归纳偏置", "长程依赖",
];

#[rustfmt::skip]
const TERMS: &[&str] = &[
    "Transformer", "BERT", "GPT", "ViT", "LoRA", "Adam", "AdamW", "SGD", "RMSNorm", "LayerNorm",
    "softmax", "ReLU", "GELU", "SwiGLU", "dropout", "batch size", "token", "embedding", "PyTorch",
    "JAX", "CUDA", "GPU", "FlashAttention", "KV cache", "RoPE", "ALiBi", "MoE", "DPO", "PPO",
    "RLHF", "CLIP", "DDPM", "U-Net", "ResNet", "Mamba", "FP16", "BF16", "NCCL", "Triton", "warmup",
    "tokenizer", "logits", "perplexity", "baseline", "ablation", "SimCLR", "MoCo", "DETR", "T5",
    "LLaMA", "ZeRO", "DeepSpeed", "Megatron-LM", "vLLM", "GQA", "BPE",
];

#[rustfmt::skip]
const CODE_SPANS: &[&str] = &[
    "torch.nn.functional.softmax", "model.eval()", "optimizer.zero_grad()", "torch.no_grad()",
    "loss.backward()", "nn.Linear", "F.cross_entropy", "torch.compile", "--lr 3e-4",
    "batch_size=32", "cudaMemcpyAsync", "#pragma unroll", "x.view(-1, d)", "attn_mask",
    "torch.cuda.amp.autocast", "grad_accum_steps", "model.half()", "weight_decay=0.1",
    "nn.LayerNorm(d_model)", "torch.einsum", "scaled_dot_product_attention", "seed=42",
    "num_workers=8", "pin_memory=True", "torch.distributed.all_reduce", "requires_grad",
];

#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "稳定", "敏感", "平滑", "稀疏", "明显", "重要", "容易发散", "接近线性", "难以优化", "有效",
];

#[rustfmt::skip]
const CN_COMMENTS: &[&str] = &[
    "计算注意力分数", "先做归一化再投影", "这里用 float32 累加，避免溢出", "梯度累积到一定步数再更新", "注意：mask 中 0 表示屏蔽", "按头拆分",
    "合并多头的输出", "预热阶段线性增大学习率", "只对权重做衰减，偏置和归一化参数不做", "保存检查点", "记录训练指标", "数值稳定的 softmax",
    "分块计算，减少显存读写", "采样下一个 token", "计算对比损失", "负样本来自同一批次",
];

const SENTENCES: &[&str] = &[
    "{C}的核心思想是把{C}看成一种{C}，这样就能直接套用{E}的做法。",
    "直观地说，{C}决定了{C}的上限，而{C}决定了我们能多快接近这个上限。",
    "在实际训练中，{E}的{C}往往比{C}更容易出问题。",
    "我第一次读到{E}的论文时，对{C}这一部分并没有太在意。",
    "很多实现会把{K}放在{C}之前，这一点和原论文略有不同。",
    "从{C}的角度看，这相当于给{C}加了一个关于{C}的约束。",
    "如果把 batch size 从{N}增加到{N}，{C}大约会下降{P}%，但{C}几乎不变。",
    "实验表明，{E}在{C}上比{E}高出{F}个点，代价是{C}多了将近一倍。",
    "这就是为什么{E}要单独处理{C}：否则{C}会被{C}淹没。",
    "为什么要这样做？因为{C}在{C}较小时几乎不起作用。",
    "（顺便一提，{E}默认的{C}是{K}，很多人会忽略这个细节。）",
    "需要强调的是，{C}和{C}并不冲突，两者可以同时使用。",
    "这一步看似平凡，却是{C}能够{A}的关键。",
    "当{C}不够大时，{C}会变得非常{A}，这时最好先检查{K}的设置。",
    "换个说法：{C}把问题从“如何{C}”变成了“如何{C}”。",
    "以{E}为例，它在第{N}层之后就不再使用{C}，而是改用{C}。",
    "社区里对{C}的讨论很多，但大部分只停留在{C}层面，很少涉及{C}。",
    "我在复现时发现，{K}稍有不同，{C}的曲线就会明显变化。",
    "{E}和{E}的区别主要在{C}，其余部分几乎相同。",
    "总结一下：先保证{C}正确，再考虑{C}和{C}的效率。",
    "与{C}相比，{C}对{C}没有那么{A}，因此更适合大规模训练。",
    "原论文在附录里给出了{C}的完整推导，正文只保留了结论。",
    "训练到第{N}步左右，{C}开始{A}，这通常意味着{C}设得太大了。",
    "下面的推导不追求严格，只是为了说明{C}从何而来。",
];

const MATH_SENTENCES: &[&str] = &[
    "设{M}为{C}，则它可以理解为{C}在第{N}步的估计。",
    "注意这里的{M}并不是{C}，而是{C}的一个无偏估计。",
    "换句话说，{M}越大，{C}越{A}。",
    "其中{M}表示{C}，通常取一个较小的正数。",
    "把{M}代入上式，就得到了{C}的闭式解。",
    "当{M}时，{C}退化为普通的{C}。",
    "式中{M}是{C}，它和{C}共享同一组参数。",
    "记{M}，于是{C}可以写得更紧凑。",
    "对{M}求导并令其为零，即可得到最优的{C}。",
    "{E}的做法是直接令{M}，省去了{C}的计算。",
    "由于{M}，{C}在每一步都被重新缩放。",
    "我们希望{M}尽可能小，同时保持{C}足够{A}。",
];

const HEADINGS: &[&str] = &[
    "背景",
    "问题的提出",
    "{C}的直觉",
    "推导过程",
    "{E} 的做法",
    "{C}与{C}的关系",
    "实现细节",
    "实验设置",
    "结果与分析",
    "常见误区",
    "复杂度分析",
    "与{E}的比较",
    "一个数值例子",
    "工程上的取舍",
    "小结",
    "参考资料",
    "{C}为什么有效",
    "从{C}说起",
];

const SUBHEADINGS: &[&str] = &[
    "{C}的定义",
    "{E} 中的实现",
    "一个反例",
    "数值稳定性",
    "超参数的选择",
    "显存与速度",
    "边界情况",
    "{C}的另一种写法",
    "训练曲线",
    "推理阶段",
];

const TITLES: &[&str] = &[
    "{E} 笔记：{C}与{C}",
    "从{C}到{C}：读 {E} 论文",
    "{C}：为什么{E}要这样设计",
    "重新理解{C}",
    "{E} 的{C}，一次讲清楚",
    "{C}的几种推导",
    "复现 {E} 时踩过的坑",
    "{C}和{C}到底有什么区别",
];

#[rustfmt::skip]
const TAGS: &[&str] = &[
    "Transformer", "注意力机制", "优化器", "正则化", "PyTorch", "CUDA", "强化学习", "自监督学习", "对比学习", "扩散模型",
    "生成模型", "语言模型", "预训练", "微调", "LoRA", "量化", "蒸馏", "分布式训练", "混合精度", "位置编码", "归一化", "卷积网络", "目标检测",
    "语义分割", "图神经网络", "推荐系统", "概率图模型", "变分推断", "贝叶斯", "EM 算法", "降维", "核方法", "集成学习", "决策树", "凸优化",
    "数值计算", "线性代数", "信息论", "采样", "推理加速", "KV Cache", "FlashAttention", "MoE", "状态空间模型", "Mamba",
    "RLHF", "DPO", "多模态", "CLIP", "ViT", "BERT", "GPT", "分词", "评测", "数据集", "工程实践", "论文笔记", "读书笔记",
    "面试", "Rust",
];

#[rustfmt::skip]
const CATEGORIES: &[&str] = &[
    "深度学习", "机器学习", "自然语言处理", "计算机视觉", "强化学习", "数学基础", "工程实践", "论文精读",
];

// ---------------------------------------------------------------------------
// Formulas
// ---------------------------------------------------------------------------

/// Inline formulas shared by all articles.
#[rustfmt::skip]
const POOL_INLINE: &[&str] = &[
    r"x_i", r"y_i", r"\theta", r"\eta", r"\lambda", r"\epsilon", r"\beta_1", r"\beta_2", r"g_t",
    r"m_t", r"v_t", r"\hat{m}_t", r"\sqrt{d_k}", r"d_{\text{model}}", r"W_q", r"W_k", r"W_v",
    r"Q K^\top", r"\mathbf{x} \in \R^d", r"\sigma(z) = \frac{1}{1 + e^{-z}}",
    r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", r"\nabla_\theta L",
    r"p_\theta(x)", r"q_\phi(z \mid x)", r"\KL(q \,\|\, p)", r"\E_{x \sim p}[f(x)]", r"O(n^2)",
    r"O(n \log n)", r"\mathcal{L}", r"\lVert w \rVert_2^2", r"\gamma = 0.99", r"\alpha_t",
    r"\bar{\alpha}_t = \prod_{s=1}^{t} \alpha_s", r"\tau", r"h_t", r"\mathrm{rank}(\Delta W) \le r",
    r"A \in \R^{r \times k}", r"B \in \R^{d \times r}", r"r \ll \min(d, k)",
    r"\pi_\theta(a \mid s)", r"V^\pi(s)", r"Q(s, a)", r"\mu_B", r"\sigma_B^2",
    r"\hat{x} = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}", r"\odot", r"\mathbf{1}", r"\log p(x)",
    r"\arg\max_a Q(s, a)", r"n \to \infty", r"\Delta t", r"e^{i m \theta}", r"\cos(m\theta)",
    r"z \sim \mathcal{N}(0, I)",
];

/// Display formulas shared by all articles.
const POOL_DISPLAY: &[&str] = &[
    r"\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right) V",
    r"\mathcal{L}_{\text{CE}} = -\sum_{i=1}^{N} \sum_{c=1}^{C} y_{i,c} \log \hat{y}_{i,c}",
    r"\KL(q \,\|\, p) = \sum_x q(x) \log \frac{q(x)}{p(x)}",
    r"\log p(x) \ge \E_{q(z \mid x)}\left[\log p(x \mid z)\right] - \KL\big(q(z \mid x) \,\|\, p(z)\big)",
    r"\operatorname{LayerNorm}(x) = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta",
    r"\operatorname{RMSNorm}(x) = \frac{x}{\sqrt{\frac{1}{d}\sum_{i=1}^{d} x_i^2 + \epsilon}} \odot g",
    r"\begin{aligned}
m_t &= \beta_1 m_{t-1} + (1 - \beta_1)\, g_t \\
v_t &= \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2 \\
\theta_{t+1} &= \theta_t - \eta\, \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \epsilon}
\end{aligned}",
    r"\mathcal{L}_{\text{InfoNCE}} = -\log \frac{\exp(\operatorname{sim}(z_i, z_j)/\tau)}{\sum_{k \ne i} \exp(\operatorname{sim}(z_i, z_k)/\tau)}",
    r"q(x_t \mid x_0) = \mathcal{N}\left(x_t; \sqrt{\bar{\alpha}_t}\, x_0, (1 - \bar{\alpha}_t) I\right)",
    r"V^\pi(s) = \E_{a \sim \pi}\left[ r(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V^\pi(s') \right]",
    r"W = W_0 + \Delta W = W_0 + B A",
    r"f(x) = \begin{cases} x, & x > 0 \\ \alpha (e^x - 1), & x \le 0 \end{cases}",
    r"R(\theta) = \begin{bmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{bmatrix}",
    r"\begin{aligned}
\nabla_\theta J(\theta) &= \E_{\tau \sim \pi_\theta}\left[ \sum_{t=0}^{T} \nabla_\theta \log \pi_\theta(a_t \mid s_t)\, A_t \right] \\
A_t &= r_t + \gamma V(s_{t+1}) - V(s_t)
\end{aligned}",
    r"\operatorname{GELU}(x) = x \cdot \Phi(x) \approx 0.5 x \left(1 + \tanh\left[\sqrt{2/\pi}\,(x + 0.044715 x^3)\right]\right)",
    r"\hat{\theta}_{\text{MLE}} = \arg\max_\theta \sum_{i=1}^{n} \log p(x_i \mid \theta)",
    r"\sigma(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}, \quad i = 1, \dots, K",
    r"\begin{aligned}
h_t &= \bar{A} h_{t-1} + \bar{B} x_t \\
y_t &= C h_t
\end{aligned}",
];

/// A formula tied to the article (`k`) and to the draw, so it is (almost) unique.
fn varied_formula(rng: &mut Rng, k: usize, display: bool) -> String {
    let i = rng.range(1, 9);
    let n = rng.range(2, 64);
    let d = *rng.pick(&[64, 128, 256, 512, 768, 1024, 2048, 4096]);
    let l = rng.range(1, 48);
    if !display {
        return match rng.range(0, 11) {
            0 => format!(r"x_{{{i}}}^{{({k})}}"),
            1 => format!(r"\mathbf{{W}}_{{{l}}} \in \R^{{{d} \times {n}}}"),
            2 => format!(r"h_{{t}}^{{({l})}}"),
            3 => format!(r"\theta_{{{k}}}^{{*}}"),
            4 => format!(r"\lambda_{{{i}}} = {}.{}", i % 3, n),
            5 => format!(r"\sum_{{j=1}}^{{{n}}} \alpha_{{{i}j}}"),
            6 => format!(r"k = {k}"),
            7 => format!(r"d = {d}"),
            8 => format!(r"L_{{{k}}}(\theta)"),
            9 => format!(r"z_{{{i},{l}}} \sim \mathcal{{N}}(0, {n}^{{-1}})"),
            10 => format!(r"\eta_{{{k}}} = 10^{{-{i}}}"),
            _ => format!(r"T = {}", n * k + 1),
        };
    }
    match rng.range(0, 7) {
        0 => format!(
            r"h_t^{{({l})}} = \sigma\left(W_{{{l}}} h_{{t-1}}^{{({l})}} + U_{{{l}}} x_t + b_{{{l}}}\right)"
        ),
        1 => format!(
            r"\mathcal{{L}}_{{{k}}} = \frac{{1}}{{{n}}} \sum_{{i=1}}^{{{n}}} \left\lVert f_\theta(x_i) - y_i \right\rVert_2^2 + \lambda_{{{i}}} \lVert \theta \rVert_2^2"
        ),
        2 => format!(
            r"\begin{{aligned}}
z^{{({l})}} &= W^{{({l})}} a^{{({l}-1)}} + b^{{({l})}} \\
a^{{({l})}} &= \operatorname{{ReLU}}\big(z^{{({l})}}\big) \\
\frac{{\partial \mathcal{{L}}}}{{\partial W^{{({l})}}}} &= \delta^{{({l})}} \big(a^{{({l}-1)}}\big)^\top
\end{{aligned}}"
        ),
        3 => format!(
            r"\theta_{{t+1}} = \theta_t - \frac{{\eta_{{{k}}}}}{{\sqrt{{\sum_{{s=1}}^{{t}} g_s^2}} + 10^{{-{i}}}}}\, g_t"
        ),
        4 => format!(
            r"\operatorname{{head}}_{{{i}}} = \operatorname{{Attention}}\left(Q W^Q_{{{i}}}, K W^K_{{{i}}}, V W^V_{{{i}}}\right), \quad W^Q_{{{i}}} \in \R^{{{d} \times {}}}",
            d / 8
        ),
        5 => format!(
            r"\begin{{aligned}}
\E\left[\hat{{g}}_{{{k}}}\right] &= \frac{{1}}{{{n}}} \sum_{{b=1}}^{{{n}}} \E\left[\nabla \ell(x_b)\right] \\
&= \nabla L(\theta) \\
\operatorname{{Var}}\left[\hat{{g}}_{{{k}}}\right] &= \frac{{\sigma^2}}{{{n}}}
\end{{aligned}}"
        ),
        6 => format!(
            r"p(y = {i} \mid x) = \frac{{\exp(w_{{{i}}}^\top x / {n})}}{{\sum_{{c=1}}^{{{l}}} \exp(w_c^\top x / {n})}}"
        ),
        _ => format!(
            r"\operatorname{{RoPE}}(x_m)_{{2j}} = x_{{m,2j}} \cos(m \theta_j) - x_{{m,2j+1}} \sin(m \theta_j), \quad \theta_j = {k}^{{-2j/{d}}}"
        ),
    }
}

struct Formula {
    tex: String,
    pooled: bool,
}

// ---------------------------------------------------------------------------
// Articles
// ---------------------------------------------------------------------------

struct Article {
    file_name: String,
    text: String,
    tags: Vec<&'static str>,
    category: &'static str,
    inline_formulas: usize,
    display_formulas: usize,
    pool_formulas: usize,
    formula_bytes: usize,
    code_blocks: usize,
    code_bytes: usize,
    code_lines: usize,
    has_more: bool,
    tables: usize,
}

/// What a section still has to place.
#[derive(Default)]
struct Section {
    inline: Vec<Formula>,
    display: Vec<Formula>,
    code: usize,
    cjk_budget: usize,
}

struct Writer {
    rng: Rng,
    /// The article's number, which varied formulas carry.
    k: usize,
    out: String,
    wrap: bool,
    a: Article,
}

impl Writer {
    fn fill_prose(&mut self, template: &str, math: Option<&Formula>) -> String {
        let mut out = String::with_capacity(template.len() * 2);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("closed placeholder");
            let slot = &rest[start + 1..end];
            match slot {
                "C" => out.push_str(self.rng.pick::<&str>(CONCEPTS)),
                "E" => {
                    // English terms get a space on their Latin side, as people write them.
                    out.push(' ');
                    out.push_str(self.rng.pick::<&str>(TERMS));
                    out.push(' ');
                }
                "K" => {
                    let _ = write!(out, "`{}`", self.rng.pick(CODE_SPANS));
                }
                "A" => out.push_str(self.rng.pick::<&str>(ADJECTIVES)),
                "N" => {
                    let _ = write!(out, " {} ", self.rng.range(2, 4096));
                }
                "P" => {
                    let _ = write!(out, " {} ", self.rng.range(3, 60));
                }
                "F" => {
                    let _ = write!(out, " {}.{} ", self.rng.range(0, 9), self.rng.range(1, 9));
                }
                "M" => {
                    let f = math.expect("a formula for a math sentence");
                    self.inline_math(&mut out, f);
                }
                other => panic!("unknown slot {other}"),
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        // Spaces next to Chinese punctuation or at the start are not how people write.
        tidy_spaces(&out)
    }

    fn inline_math(&mut self, out: &mut String, f: &Formula) {
        self.count(f, false);
        match self.rng.range(0, 19) {
            0 => {
                let _ = write!(out, r"\({}\)", f.tex);
            }
            1 | 2 => {
                let _ = write!(out, " $ {} $ ", f.tex);
            }
            _ => {
                let _ = write!(out, "${}$", f.tex);
            }
        }
    }

    fn count(&mut self, f: &Formula, display: bool) {
        if display {
            self.a.display_formulas += 1;
        } else {
            self.a.inline_formulas += 1;
        }
        self.a.pool_formulas += usize::from(f.pooled);
        self.a.formula_bytes += f.tex.len();
    }

    fn sentence(&mut self, math: Option<&Formula>) -> String {
        let template = if math.is_some() {
            *self.rng.pick(MATH_SENTENCES)
        } else {
            *self.rng.pick(SENTENCES)
        };
        self.fill_prose(template, math)
    }

    /// A paragraph of 2–6 sentences holding `formulas` inline; returns its CJK count.
    fn paragraph(&mut self, formulas: Vec<Formula>, lead_in: bool) -> usize {
        let plain = self.rng.range(2, 5);
        let mut sentences: Vec<String> = (0..plain).map(|_| self.sentence(None)).collect();
        for f in &formulas {
            let at = self.rng.range(0, sentences.len());
            let s = self.sentence(Some(f));
            sentences.insert(at, s);
        }
        if lead_in {
            let last = sentences.last_mut().expect("sentences");
            last.pop();
            last.push_str(self.rng.pick::<&str>(&[
                "，写成公式就是：",
                "：",
                "，即",
                "，展开后得到：",
            ]));
        }
        if self.rng.chance(0.1) {
            let link = format!(
                "详见[{}论文](https://arxiv.org/abs/{}{:02}.{:05})。",
                self.rng.pick(TERMS),
                self.rng.range(17, 25),
                self.rng.range(1, 12),
                self.rng.range(1, 20000)
            );
            let at = sentences.len() - usize::from(lead_in);
            sentences.insert(at, link);
        }
        let mut text = String::new();
        let mut line_len = 0;
        for s in &sentences {
            if self.wrap && line_len > 40 {
                text.push('\n');
                line_len = 0;
            }
            text.push_str(s);
            line_len += s.chars().count();
        }
        let cjk = text.chars().filter(|&c| is_cjk(c)).count();
        self.out.push_str(text.trim());
        self.out.push_str("\n\n");
        cjk
    }

    fn display(&mut self, f: &Formula) {
        self.count(f, true);
        let multiline = f.tex.contains('\n');
        let style = self.rng.range(0, 19);
        if style == 0 && multiline && f.tex.starts_with(r"\begin{aligned}") {
            // A bare LaTeX environment, as in notes converted from LaTeX.
            let body = &f.tex[r"\begin{aligned}".len()..f.tex.len() - r"\end{aligned}".len()];
            let _ = write!(self.out, "\\begin{{align}}{}\\end{{align}}\n\n", body);
        } else if style <= 2 {
            let _ = write!(self.out, "\\[\n{}\n\\]\n\n", f.tex);
        } else if multiline || style <= 9 {
            let _ = write!(self.out, "$$\n{}\n$$\n\n", f.tex);
        } else {
            let _ = write!(self.out, "$$ {} $$\n\n", f.tex);
        }
    }

    fn code(&mut self) {
        let (lang, code) = code_block(&mut self.rng);
        self.a.code_blocks += 1;
        self.a.code_bytes += code.len();
        self.a.code_lines += code.lines().count();
        let _ = write!(self.out, "```{lang}\n{code}```\n\n");
    }

    fn list(&mut self, math: Option<Formula>) -> usize {
        let items = self.rng.range(3, 6);
        let ordered = self.rng.chance(0.4);
        let math_at = self.rng.range(0, items - 1);
        let mut cjk = 0;
        for i in 0..items {
            let marker = if ordered {
                format!("{}. ", i + 1)
            } else {
                "- ".to_string()
            };
            let f = if i == math_at { math.as_ref() } else { None };
            let sentence = self.sentence(f);
            let item = if self.rng.chance(0.5) {
                format!("**{}**：{}", self.rng.pick(CONCEPTS), sentence)
            } else {
                sentence
            };
            cjk += item.chars().filter(|&c| is_cjk(c)).count();
            let _ = writeln!(self.out, "{marker}{item}");
            if self.rng.chance(0.1) {
                let nested = self.sentence(None);
                let indent = if ordered { "   " } else { "  " };
                let _ = writeln!(self.out, "{indent}- {nested}");
            }
        }
        self.out.push('\n');
        cjk
    }

    fn table(&mut self, math: Option<Formula>) {
        self.a.tables += 1;
        let rows = self.rng.range(3, 6);
        self.out
            .push_str("| 方法 | 参数量 | 显存 (GB) | 吞吐 (tokens/s) | 备注 |\n| --- | ---: | ---: | ---: | --- |\n");
        let math_row = self.rng.range(0, rows - 1);
        for r in 0..rows {
            let note = if r == math_row
                && let Some(f) = &math
            {
                let mut s = String::from("取");
                self.count(f, false);
                let _ = write!(s, "${}$", f.tex);
                s
            } else {
                format!("{}较{}", self.rng.pick(CONCEPTS), self.rng.pick(ADJECTIVES))
            };
            let _ = writeln!(
                self.out,
                "| {} | {}M | {}.{} | {} | {} |",
                self.rng.pick(TERMS),
                self.rng.range(1, 9000),
                self.rng.range(1, 80),
                self.rng.range(0, 9),
                self.rng.range(100, 90000),
                note
            );
        }
        self.out.push('\n');
    }

    fn quote(&mut self) -> usize {
        let label = self.rng.pick(&["注意", "提示", "踩坑记录", "个人理解"]);
        let a = self.sentence(None);
        let b = self.sentence(None);
        let text = format!("> **{label}**：{a}\n> {b}\n\n");
        self.out.push_str(&text);
        text.chars().filter(|&c| is_cjk(c)).count()
    }

    fn heading(&mut self, level: usize, templates: &[&str], number: Option<usize>) {
        let template = *self.rng.pick(templates);
        let title = self.fill_prose(template, None);
        let hashes = "#".repeat(level);
        match number {
            Some(n) => {
                let _ = writeln!(self.out, "{hashes} {n}. {}\n", title.trim());
            }
            None => {
                let _ = writeln!(self.out, "{hashes} {}\n", title.trim());
            }
        }
    }

    fn section(&mut self, index: usize, numbered: bool, mut s: Section) {
        self.heading(2, HEADINGS, numbered.then_some(index + 1));
        let mut written = 0;
        let mut blocks = 0;
        let mut subsections = 0;
        while written < s.cjk_budget || !s.inline.is_empty() || !s.display.is_empty() || s.code > 0
        {
            blocks += 1;
            // A sub-heading now and then, never first.
            if blocks > 2 && subsections < 2 && self.rng.chance(0.12) {
                subsections += 1;
                self.heading(3, SUBHEADINGS, None);
            }
            // Past the budget, place what is left as compactly as possible.
            let overdue = written >= s.cjk_budget;
            let roll = if overdue { 99 } else { self.rng.range(0, 99) };
            if overdue && s.code > 0 {
                written += self.paragraph(Vec::new(), false);
                self.code();
                s.code -= 1;
            } else if roll < 8 && blocks > 1 {
                let math = take_some(&mut s.inline, self.rng.chance(0.5));
                written += self.list(math);
            } else if roll < 11 && blocks > 1 {
                let math = take_some(&mut s.inline, self.rng.chance(0.3));
                self.table(math);
            } else if roll < 14 && blocks > 1 {
                written += self.quote();
            } else if roll < 34 && s.code > 0 {
                written += self.paragraph(Vec::new(), false);
                self.code();
                s.code -= 1;
            } else {
                let n = if overdue { 3 } else { self.rng.range(0, 2) }.min(s.inline.len());
                let inline: Vec<Formula> = s.inline.drain(..n).collect();
                let lead_in = !s.display.is_empty() && (overdue || self.rng.chance(0.6));
                written += self.paragraph(inline, lead_in);
                if lead_in {
                    let f = s.display.remove(0);
                    self.display(&f);
                }
            }
        }
    }
}

fn take_some(formulas: &mut Vec<Formula>, take: bool) -> Option<Formula> {
    (take && !formulas.is_empty()).then(|| formulas.remove(0))
}

/// Removes spaces the templates put beside Chinese punctuation, doubled or at the ends.
fn tidy_spaces(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = out.chars().last();
            let next = chars.get(i + 1).copied();
            let beside_punct =
                |c: Option<char>| c.is_none_or(|c| c == ' ' || "，。：；！？（）“”、".contains(c));
            if beside_punct(prev) || beside_punct(next) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn article(seed: u64, i: usize) -> Article {
    let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let k = i + 1;
    let category = *rng.pick(CATEGORIES);
    let n_tags = rng.range(2, 4);
    let mut tags: Vec<&'static str> = Vec::new();
    while tags.len() < n_tags {
        let tag = TAGS[rng.skewed(TAGS.len())];
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    // 2019-01-01 .. 2025-12-31, with a time of day.
    let day = rng.range(0, 7 * 365);
    let (y, m, d) = civil_from_days(17_897 + day as i64);
    let (hh, mm) = (rng.range(7, 23), rng.range(0, 59));
    let slug = format!("{}-{k:05}", rng.pick(IDENTS).replace('_', "-"));
    let file_name = if rng.chance(0.5) {
        format!("{y:04}-{m:02}-{d:02}-{slug}.md")
    } else {
        format!("{slug}.md")
    };

    let mut w = Writer {
        rng,
        k,
        out: String::new(),
        wrap: false,
        a: Article {
            file_name,
            text: String::new(),
            tags: tags.clone(),
            category,
            inline_formulas: 0,
            display_formulas: 0,
            pool_formulas: 0,
            formula_bytes: 0,
            code_blocks: 0,
            code_bytes: 0,
            code_lines: 0,
            has_more: false,
            tables: 0,
        },
    };
    w.wrap = w.rng.chance(0.2);
    let title = {
        let t = *w.rng.pick(TITLES);
        w.fill_prose(t, None)
    };
    let _ = writeln!(w.out, "---\ntitle: \"{}\"", title.trim());
    let _ = writeln!(w.out, "date: {y:04}-{m:02}-{d:02} {hh:02}:{mm:02}");
    let _ = writeln!(w.out, "tags: [{}]", tags.join(", "));
    let _ = writeln!(w.out, "categories: {category}");
    if w.rng.chance(0.1) {
        let summary = w.sentence(None);
        let _ = writeln!(w.out, "summary: \"{}\"", summary.replace('"', "'"));
    }
    w.out.push_str("---\n\n");

    // The plan: characters, formulas and code blocks, spread over the sections.
    let cjk_target = w.rng.range(2000, 6000);
    let n_formulas = w.rng.range(20, 30);
    let n_code = w.rng.range(2, 4);
    let n_sections = (cjk_target / 650).clamp(3, 9);
    let mut sections: Vec<Section> = (0..n_sections)
        .map(|_| Section {
            cjk_budget: (cjk_target - 1000) / (n_sections + 1),
            ..Section::default()
        })
        .collect();
    for f in 0..n_formulas {
        let display = w.rng.chance(0.35);
        let pooled = f % 2 == 0;
        let tex = if pooled {
            let pool = if display { POOL_DISPLAY } else { POOL_INLINE };
            pool[w.rng.skewed(pool.len())].to_string()
        } else {
            varied_formula(&mut w.rng, w.k, display)
        };
        let s = w.rng.range(0, n_sections - 1);
        let formula = Formula { tex, pooled };
        if display {
            sections[s].display.push(formula);
        } else {
            sections[s].inline.push(formula);
        }
    }
    for _ in 0..n_code {
        let s = w.rng.range(0, n_sections - 1);
        sections[s].code += 1;
    }

    // The introduction: a paragraph or two, then maybe the excerpt marker.
    let intro_budget = (cjk_target - 1000) / (n_sections + 1);
    let mut written = w.paragraph(Vec::new(), false);
    if w.rng.chance(0.4) {
        w.out.push_str("<!-- more -->\n\n");
        w.a.has_more = true;
    }
    while written < intro_budget {
        written += w.paragraph(Vec::new(), false);
    }
    let numbered = w.rng.chance(0.3);
    for (index, section) in sections.into_iter().enumerate() {
        w.section(index, numbered, section);
    }
    w.a.text = std::mem::take(&mut w.out);
    w.a
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
