//! The words blogsmith writes into articles (figure numbers, callout and
//! theorem titles), in the site's language: Chinese unless `language` is
//! English.

/// The language of the words blogsmith adds to an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// 图 1, 提示, 定理 1, 证明.
    #[default]
    Chinese,
    /// Figure 1, Tip, Theorem 1, Proof.
    English,
}

impl Language {
    /// English for `en`, `en-US`, …; Chinese for everything else.
    pub fn of(code: &str) -> Self {
        match code.to_ascii_lowercase().starts_with("en") {
            true => Self::English,
            false => Self::Chinese,
        }
    }

    /// The title of an article's list of references.
    pub fn references(self) -> &'static str {
        self.pick("参考文献", "References")
    }

    /// What a figure is called in its caption.
    pub fn figure(self) -> &'static str {
        self.pick("图", "Figure")
    }

    /// The default title of a callout of `kind` (GitHub's alerts, Obsidian's
    /// callouts, VuePress and Docusaurus containers), if blogsmith knows it.
    pub fn callout_title(self, kind: &str) -> Option<&'static str> {
        Some(match kind {
            "note" => self.pick("注", "Note"),
            "tip" | "hint" => self.pick("提示", "Tip"),
            "important" => self.pick("重要", "Important"),
            "warning" => self.pick("警告", "Warning"),
            "caution" | "attention" => self.pick("注意", "Caution"),
            "danger" | "error" => self.pick("危险", "Danger"),
            "info" => self.pick("信息", "Info"),
            "success" | "check" | "done" => self.pick("成功", "Success"),
            "question" | "faq" | "help" => self.pick("问题", "Question"),
            "abstract" | "summary" | "tldr" => self.pick("摘要", "Summary"),
            "todo" => self.pick("待办", "To do"),
            "bug" => self.pick("缺陷", "Bug"),
            "failure" | "fail" | "missing" => self.pick("失败", "Failure"),
            "quote" | "cite" => self.pick("引用", "Quote"),
            "example" => self.pick("示例", "Example"),
            _ => return None,
        })
    }

    /// The name of a theorem-like block of `kind`, if it is one.
    pub fn theorem_name(self, kind: &str) -> Option<&'static str> {
        Some(match kind {
            "theorem" => self.pick("定理", "Theorem"),
            "definition" => self.pick("定义", "Definition"),
            "lemma" => self.pick("引理", "Lemma"),
            "proposition" => self.pick("命题", "Proposition"),
            "corollary" => self.pick("推论", "Corollary"),
            "conjecture" => self.pick("猜想", "Conjecture"),
            "example" => self.pick("例", "Example"),
            "exercise" => self.pick("习题", "Exercise"),
            "remark" => self.pick("注", "Remark"),
            "proof" => self.pick("证明", "Proof"),
            _ => return None,
        })
    }

    fn pick(self, chinese: &'static str, english: &'static str) -> &'static str {
        match self {
            Self::Chinese => chinese,
            Self::English => english,
        }
    }
}
