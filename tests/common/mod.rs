//! A fixture site in a temporary folder, built with the library.

#![allow(dead_code)]

pub mod server;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use blogsmith::{BuildFailure, BuildOptions, BuildReport};

/// A site under construction in a temporary folder.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// An empty site.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The output folder.
    pub fn public(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes a file (relative to the root), creating folders.
    pub fn write(&self, path: &str, text: &str) -> &Self {
        let path = self.root().join(path);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        self
    }

    /// Writes `content/<name>` as an article with the given front matter lines and body.
    pub fn article(&self, name: &str, front_matter: &str, body: &str) -> &Self {
        self.write(
            &format!("content/{name}"),
            &format!("---\n{front_matter}\n---\n{body}"),
        )
    }

    /// Builds with default options.
    pub fn build(&self) -> Result<BuildReport, BuildFailure> {
        blogsmith::build(&self.options())
    }

    /// The default build options for this site.
    pub fn options(&self) -> BuildOptions {
        BuildOptions::new(self.root())
    }

    /// Builds and panics with every diagnostic if the build fails.
    pub fn build_ok(&self) -> BuildReport {
        match self.build() {
            Ok(report) => report,
            Err(failure) => panic!("build failed:\n{}", lines(&failure.diagnostics)),
        }
    }

    /// A file of the output, as text.
    pub fn read(&self, path: &str) -> String {
        let path = self.public().join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Whether the output has this file.
    pub fn has(&self, path: &str) -> bool {
        self.public().join(path).is_file()
    }

    /// Every output file (relative path → bytes).
    pub fn output_tree(&self) -> BTreeMap<String, Vec<u8>> {
        tree(&self.public())
    }
}

/// Every file under `dir` (relative path → bytes).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .expect("under dir")
                .to_string_lossy()
                .into_owned();
            (relative, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Diagnostics one per line, for assertion messages.
pub fn lines(diagnostics: &[blogsmith::diagnostic::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of an HTML fragment: tags removed, whitespace collapsed.
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The part of `html` from the first `start` to the following `end` (inclusive).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)?;
    let to = html[from..].find(end)? + from + end.len();
    Some(&html[from..to])
}

/// A small site of Chinese ML notes for the search tests: three articles about
/// attention (one with 注意力 in its title), one about AdamW, and others.
pub fn ml_notes_site() -> Fixture {
    let site = Fixture::new();
    site.write("blogsmith.yaml", "title: 机器学习笔记\n");
    site.article(
        "attention.md",
        "title: 注意力机制：从加权平均说起\ndate: 2026-03-01\ntags: [Transformer]",
        "注意力机制把每个位置的输出写成所有位置的加权平均，权重由查询和键的相似度决定。\n\n\
         ## 缩放点积\n\n分数$QK^\\top/\\sqrt{d}$经过 softmax 归一化，就是注意力权重。\n",
    );
    site.article(
        "transformer.md",
        "title: Transformer 架构笔记\ndate: 2026-03-05\ntags: [Transformer]",
        "Transformer 由多头注意力和前馈网络堆叠而成。自注意力让每个词看到整句，\
         交叉注意力连接编码器与解码器，因果注意力遮住未来的位置，多头注意力在不同子空间里分别计算注意力。\n",
    );
    site.article(
        "flash-attention.md",
        "title: FlashAttention：IO 感知的精确计算\ndate: 2026-03-10\ntags: [Transformer, 高效计算]",
        "标准注意力要把$N \\times N$的分数矩阵写回显存，FlashAttention 按块计算并用在线 softmax 合并结果。\n\n\
         ```python\nqqcodeblockword = torch.empty(4)\n```\n\n$$\n\\operatorname{zzdisplaymath}(x)\n$$\n\n\
         块的大小由 SRAM 容量决定，公式里的$\\mathrm{zzinlinemath}$也算正文。\n",
    );
    site.article(
        "adamw.md",
        "title: AdamW：把权重衰减从梯度里解耦\ndate: 2026-02-20\ntags: [优化]\ncategories: 优化器",
        "Adam 把 L2 正则加进梯度，衰减会被自适应学习率缩放；AdamW 直接在参数上做权重衰减。\n\n\
         在 PyTorch 里用 `torch.optim.AdamW` 即可。\n",
    );
    site.article(
        "linear-regression.md",
        "title: 线性回归与最小二乘\ndate: 2026-01-10\ntags: [监督学习]",
        "线性回归用最小二乘拟合参数，正规方程给出闭式解。\n",
    );
    site.article(
        "word2vec.md",
        "title: 词向量：word2vec 的两种训练方式\ndate: 2026-01-20\ntags: [自然语言处理]",
        "Skip-gram 用中心词预测上下文，CBOW 反过来。需要注意的是，负采样让训练快得多。\n",
    );
    site.article(
        "escaping.md",
        "title: 转义测试 <b>不是粗体</b>\ndate: 2026-01-05",
        "这一篇检查转义：`<img src=x onerror=\"window.__pwned=1\">` 应该原样显示。\n",
    );
    site.article(
        "draft.md",
        "title: 未发表的注意力草稿\ndate: 2026-03-20\ndraft: true",
        "草稿里的注意力不应被搜到。\n",
    );
    site
}
