//! Save → reload latency of `blogsmith serve` on a large site.
//!
//! Generates N realistic Chinese ML articles (math, code, tags, categories)
//! in a temporary folder, starts the server on a free port, listens to the
//! event stream like a page does, then edits one article at a time and times
//! each save (from just before the write) to the arrival of the `reload`
//! event that names the article's page.
//!
//!     cargo bench --bench serve_reload                      # 1,000 articles, 30 edits of each kind
//!     cargo bench --bench serve_reload -- --articles 3000 --edits 50
//!
//! Two kinds of edit: one at the end of an article (only its page changes),
//! and one in its first paragraph (its excerpt changes, so the index, tag and
//! category pages showing it change too).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blogsmith::serve::{Notice, ServeOptions, Server};

fn main() {
    let mut articles = 1000;
    let mut edits = 30;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse().ok());
        match arg.as_str() {
            "--articles" => articles = value().unwrap_or(articles),
            "--edits" => edits = value().unwrap_or(edits),
            _ => {} // `cargo bench` passes `--bench`.
        }
    }

    let load_at_start = load_average();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let started = Instant::now();
    let bytes = generate_site(dir.path(), articles);
    println!(
        "generated {articles} articles ({:.1} MB of Markdown) in {:.2} s",
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let rebuilds = Arc::new(Mutex::new(Vec::new()));
    let options = ServeOptions {
        port: 0,
        ..ServeOptions::new(dir.path())
    };
    let started = Instant::now();
    let server = {
        let rebuilds = Arc::clone(&rebuilds);
        Server::start(options, move |notice| match notice {
            Notice::Built {
                report,
                latency: None,
                ..
            } => println!(
                "first build: {} articles, {} pages ({} files), {} formulas in {:.2} s",
                report.articles,
                report.pages,
                report.files,
                report.formulas,
                report.elapsed.as_secs_f64()
            ),
            Notice::Built { report, .. } => rebuilds
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((report.elapsed, report.rendered_pages)),
            Notice::Failed { failure } => panic!("the build failed: {failure:?}"),
            _ => {}
        })
        .expect("the server starts")
    };
    println!(
        "server ready in {:.2} s at {}",
        started.elapsed().as_secs_f64(),
        server.url()
    );

    let mut events = Events::connect(server.addr());
    events.wait_for("hello", |_| true);
    // The articles were all written a moment ago, as they never are when an
    // author starts the server: a refresh reads again any file changed within
    // 2 s of its last read (time stamps are coarse). Wait that out, and warm up
    // with one unmeasured edit.
    std::thread::sleep(Duration::from_millis(2100));
    let warm_up = dir.path().join("content").join(file_name(0));
    let text = std::fs::read_to_string(&warm_up).expect("read an article");
    std::fs::write(&warm_up, format!("{text}\n预热。\n")).expect("save an article");
    events.wait_for("reload", |_| true);
    std::thread::sleep(Duration::from_millis(200));

    for kind in [Edit::End, Edit::Excerpt] {
        rebuilds.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let mut latencies = Vec::with_capacity(edits);
        let mut cpu = Vec::with_capacity(edits);
        let mut changed_counts = Vec::with_capacity(edits);
        for i in 0..edits {
            let n = (i * 37 + 11) % articles;
            let path = dir.path().join("content").join(file_name(n));
            let text = std::fs::read_to_string(&path).expect("read the article");
            let edited = kind.apply(&text, i);
            let expected = format!("\"/posts/{}/\"", slug(n));
            let cpu_before = cpu_time();
            let saved = Instant::now();
            std::fs::write(&path, edited).expect("save the article");
            let data = events.wait_for("reload", |data| data.contains(&expected));
            latencies.push(saved.elapsed());
            cpu.push(cpu_time().saturating_sub(cpu_before));
            changed_counts.push(data.matches("\",\"").count() + 1);
            std::thread::sleep(Duration::from_millis(150));
        }
        let mut builds: Vec<Duration> = rebuilds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(elapsed, _)| *elapsed)
            .collect();
        changed_counts.sort_unstable();
        println!(
            "\n{} ({edits} saves, {} output files changed per save):",
            kind.describe(),
            changed_counts[changed_counts.len() / 2]
        );
        println!(
            "  save → reload event: median {} ms, p90 {} ms, min {} ms, max {} ms",
            ms(percentile(&mut latencies, 50)),
            ms(percentile(&mut latencies, 90)),
            ms(percentile(&mut latencies, 0)),
            ms(percentile(&mut latencies, 100)),
        );
        println!(
            "  of which the rebuild (Session::refresh): median {} ms, p90 {} ms; \
             the rest is the watcher and the quiet window ({} ms after a close-after-write)",
            ms(percentile(&mut builds, 50)),
            ms(percentile(&mut builds, 90)),
            blogsmith::serve::watch::SETTLE.as_millis(),
        );
        println!(
            "  CPU time per save (all threads, independent of the machine's load): median {} ms",
            ms(percentile(&mut cpu, 50)),
        );
    }
    server.stop();
    println!(
        "\nload average: {} at the start, {} at the end",
        load_at_start,
        load_average()
    );
}

/// The 1-minute load average, for context: timings on a busy machine are longer.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// CPU time used by this process so far, all threads.
fn cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

#[derive(Clone, Copy)]
enum Edit {
    End,
    Excerpt,
}

impl Edit {
    fn apply(self, text: &str, i: usize) -> String {
        let sentence = format!("（第 {i} 次修改：补充一句关于$\\eta_{{{i}}}$学习率的说明。）");
        match self {
            Edit::End => format!("{text}\n{sentence}\n"),
            Edit::Excerpt => {
                // The first paragraph after the front matter.
                let body = text.find("\n---\n").map_or(0, |i| i + 5);
                let (head, tail) = text.split_at(body);
                format!("{head}{sentence}{tail}")
            }
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Edit::End => "edit at the end of an article",
            Edit::Excerpt => "edit in an article's first paragraph (its excerpt)",
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn percentile(values: &mut [Duration], p: usize) -> Duration {
    values.sort_unstable();
    let index = (values.len().saturating_sub(1) * p).div_ceil(100);
    values.get(index).copied().unwrap_or_default()
}

/// The event stream, read chunk by chunk.
struct Events {
    reader: BufReader<TcpStream>,
    pending: String,
}

impl Events {
    fn connect(addr: SocketAddr) -> Events {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        write!(
            stream,
            "GET /__blogsmith/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"
        )
        .expect("send the request");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut reader = BufReader::new(stream);
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("read the head");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        Events {
            reader,
            pending: String::new(),
        }
    }

    /// Reads events until one named `name` whose data satisfies `accept`; returns its data.
    fn wait_for(&mut self, name: &str, accept: impl Fn(&str) -> bool) -> String {
        let prefix = format!("event: {name}\ndata: ");
        loop {
            while let Some(end) = self.pending.find("\n\n") {
                let frame: String = self.pending.drain(..end + 2).collect();
                if let Some(data) = frame.strip_prefix(&prefix)
                    && accept(data)
                {
                    return data.trim_end().to_string();
                }
            }
            let mut size = String::new();
            self.reader.read_line(&mut size).expect("a chunk size");
            let size = usize::from_str_radix(size.trim(), 16).expect("a hex chunk size");
            assert!(size > 0, "the event stream ended");
            let mut chunk = vec![0; size + 2];
            self.reader.read_exact(&mut chunk).expect("a chunk");
            self.pending
                .push_str(&String::from_utf8_lossy(&chunk[..size]));
        }
    }
}

// ---------------------------------------------------------------------------
// A deterministic generator of Chinese ML notes.

/// xorshift64*: the same site on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TOPICS: &[&str] = &[
    "注意力机制",
    "旋转位置编码",
    "层归一化",
    "残差连接",
    "低秩适配",
    "混合专家模型",
    "对比学习",
    "变分自编码器",
    "扩散模型",
    "强化学习中的策略梯度",
    "知识蒸馏",
    "量化感知训练",
    "梯度裁剪",
    "学习率预热",
    "交叉熵损失",
    "权重衰减",
    "批归一化",
    "卷积神经网络",
    "循环神经网络",
    "状态空间模型",
    "图神经网络",
    "贝叶斯优化",
    "支持向量机",
    "主成分分析",
];

const TAGS: &[&str] = &[
    "Transformer",
    "自监督学习",
    "优化",
    "正则化",
    "生成模型",
    "表示学习",
    "微调",
    "PyTorch",
    "JAX",
    "NLP",
    "计算机视觉",
    "强化学习",
    "概率论",
    "线性代数",
    "推理加速",
    "分布式训练",
    "注意力",
    "位置编码",
    "损失函数",
    "数值稳定性",
    "大模型",
    "多模态",
    "检索增强",
    "评测",
    "数据增强",
    "图学习",
    "贝叶斯",
    "核方法",
    "降维",
    "论文笔记",
    "面试题",
    "实验记录",
    "CUDA",
    "内存优化",
    "稀疏化",
    "蒸馏",
    "量化",
    "对齐",
    "RLHF",
    "扩散",
];

const CATEGORIES: &[&str] = &[
    "深度学习",
    "机器学习基础",
    "自然语言处理",
    "计算机视觉",
    "强化学习",
    "工程实践",
    "数学基础",
    "论文精读",
];

const SENTENCES: &[&str] = &[
    "直观上看，{t}的作用是让模型在不同尺度上都能稳定地传递信息。",
    "我们先回顾{t}的基本形式，再讨论它在大规模训练中的表现。",
    "实验表明，{t}在长序列任务上的收益尤其明显，但代价是额外的显存开销。",
    "需要注意的是，{t}对超参数比较敏感，学习率过大时训练容易发散。",
    "从优化的角度理解，{t}相当于在损失曲面上引入了更平滑的路径。",
    "很多实现把{t}和混合精度训练放在一起使用，这时要特别留意数值溢出。",
    "与传统方法相比，{t}不需要手工设计特征，而是端到端地学习表示。",
    "在推理阶段，{t}可以预先计算并缓存，从而显著降低延迟。",
    "如果把{t}看成一种先验，那么它的正则化效果就不难解释了。",
    "论文中的消融实验说明，去掉{t}之后困惑度上升了约百分之五。",
];

const INLINE_MATH: &[&str] = &[
    "$\\mathbf{x} \\in \\mathbb{R}^d$",
    "$\\operatorname{softmax}(QK^\\top / \\sqrt{d_k})$",
    "$\\theta_{t+1} = \\theta_t - \\eta \\nabla_\\theta L$",
    "$W = W_0 + BA$",
    "$p_\\theta(x_{t-1} \\mid x_t)$",
    "$\\lVert g \\rVert_2 \\le c$",
    "$\\mathbb{E}_{x \\sim p}[\\log q(x)]$",
    "$h_t = \\sigma(W h_{t-1} + U x_t)$",
];

const DISPLAY_MATH: &[&str] = &[
    "$$\n\\operatorname{Attention}(Q, K, V) = \\operatorname{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right) V\n$$",
    "$$\n\\begin{aligned}\nm_t &= \\beta_1 m_{t-1} + (1 - \\beta_1) g_t \\\\\nv_t &= \\beta_2 v_{t-1} + (1 - \\beta_2) g_t^2 \\\\\n\\theta_t &= \\theta_{t-1} - \\eta \\frac{\\hat m_t}{\\sqrt{\\hat v_t} + \\epsilon}\n\\end{aligned}\n$$",
    "$$\n\\mathcal{L}_{\\text{ELBO}} = \\mathbb{E}_{q_\\phi(z \\mid x)}\\left[\\log p_\\theta(x \\mid z)\\right] - D_{\\mathrm{KL}}\\left(q_\\phi(z \\mid x) \\,\\|\\, p(z)\\right)\n$$",
    "$$\n\\operatorname{LayerNorm}(x) = \\gamma \\odot \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\epsilon}} + \\beta\n$$",
    "$$\nR_{\\Theta, m} = \\begin{pmatrix} \\cos m\\theta & -\\sin m\\theta \\\\ \\sin m\\theta & \\cos m\\theta \\end{pmatrix}\n$$",
    "\\[\n\\nabla_\\theta J(\\theta) = \\mathbb{E}_{\\tau \\sim \\pi_\\theta}\\left[\\sum_{t=0}^{T} \\nabla_\\theta \\log \\pi_\\theta(a_t \\mid s_t) \\, G_t\\right]\n\\]",
];

const CODE: &[&str] = &[
    "```python\nimport torch\nimport torch.nn.functional as F\n\ndef attention(q, k, v, mask=None):\n    scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5\n    if mask is not None:\n        scores = scores.masked_fill(mask == 0, float('-inf'))\n    return F.softmax(scores, dim=-1) @ v\n```",
    "```python\nclass LoRALinear(torch.nn.Module):\n    def __init__(self, base, r=8, alpha=16):\n        super().__init__()\n        self.base = base\n        self.a = torch.nn.Parameter(torch.randn(r, base.in_features) * 0.01)\n        self.b = torch.nn.Parameter(torch.zeros(base.out_features, r))\n        self.scale = alpha / r\n\n    def forward(self, x):\n        return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale\n```",
    "```python\nfor step, batch in enumerate(loader):\n    loss = model(**batch).loss\n    loss.backward()\n    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n    optimizer.step()\n    scheduler.step()\n    optimizer.zero_grad(set_to_none=True)\n```",
    "```bash\ntorchrun --nproc_per_node=8 train.py \\\n  --model llama-7b --lr 2e-5 --warmup 500 --bf16\n```",
    "```rust\nfn softmax(xs: &[f32]) -> Vec<f32> {\n    let max = xs.iter().cloned().fold(f32::NEG_INFINITY, f32::max);\n    let exp: Vec<f32> = xs.iter().map(|x| (x - max).exp()).collect();\n    let sum: f32 = exp.iter().sum();\n    exp.into_iter().map(|e| e / sum).collect()\n}\n```",
];

fn slug(n: usize) -> String {
    format!("note-{n:04}")
}

fn file_name(n: usize) -> String {
    format!("{}.md", slug(n))
}

/// Writes the site; returns the bytes of Markdown written.
fn generate_site(root: &Path, articles: usize) -> usize {
    std::fs::write(
        root.join("blogsmith.yaml"),
        "title: 机器学习笔记\nsubtitle: 基准测试站点\nauthor: 基准\n",
    )
    .expect("write the configuration");
    let content = root.join("content");
    std::fs::create_dir_all(&content).expect("create content/");
    let mut total = 0;
    for n in 0..articles {
        let text = article(n);
        total += text.len();
        std::fs::write(content.join(file_name(n)), text).expect("write an article");
    }
    total
}

fn article(n: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64 + 1).wrapping_mul(0x1000_0000_01B3));
    let topic = rng.pick(TOPICS);
    let mut tags: Vec<&str> = (0..2 + rng.below(3)).map(|_| rng.pick(TAGS)).collect();
    tags.sort_unstable();
    tags.dedup();
    let day = n % 28 + 1;
    let month = n / 28 % 12 + 1;
    let year = 2020 + n / (28 * 12);
    let mut text = format!(
        "---\ntitle: \"{topic}笔记（{n}）\"\ndate: {year}-{month:02}-{day:02} {:02}:{:02}\ntags: [{}]\ncategories: {}\nslug: {}\n---\n",
        rng.below(24),
        rng.below(60),
        tags.join(", "),
        rng.pick(CATEGORIES),
        slug(n)
    );
    let paragraph = |rng: &mut Rng| {
        let mut p = String::new();
        for _ in 0..3 + rng.below(3) {
            p.push_str(&rng.pick(SENTENCES).replace("{t}", topic));
            if rng.below(3) == 0 {
                p.push_str("其中");
                p.push_str(rng.pick(INLINE_MATH));
                p.push_str("是关键的量。");
            }
        }
        p
    };
    text.push_str(&paragraph(&mut rng));
    text.push_str("\n\n");
    for section in ["动机", "推导", "实现", "实验与讨论"] {
        text.push_str(&format!("## {section}\n\n"));
        for _ in 0..1 + rng.below(2) {
            text.push_str(&paragraph(&mut rng));
            text.push_str("\n\n");
        }
        match section {
            "推导" => {
                text.push_str(rng.pick(DISPLAY_MATH));
                text.push_str("\n\n");
                text.push_str("- 第一步：写出目标函数");
                text.push_str(rng.pick(INLINE_MATH));
                text.push_str("；\n- 第二步：对参数求梯度；\n- 第三步：代入更新公式。\n\n");
            }
            "实现" => {
                text.push_str(rng.pick(CODE));
                text.push_str("\n\n");
            }
            _ => {}
        }
    }
    text
}
