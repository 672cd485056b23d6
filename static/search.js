// blogsmith search: finds articles in search-index.json (built by src/site/search.rs).
//
// The query is cut into tokens exactly as the index was: CJK text into
// overlapping pairs of characters (a lone character as itself), other text into
// lowercase words. Articles holding every token are shown (when none does,
// those holding at least half of them); a title match ranks above text
// matches, a token an article uses often above one it uses once.
// No dependency, no request but the index.
(function () {
  "use strict";

  const FORMAT_VERSION = 1;
  const MIN_WORD_CHARS = 2;
  const MAX_WORD_CHARS = 32;
  const MAX_RESULTS = 50;
  const TITLE_WEIGHT = 100;
  const RADIX = 13;
  // Characters of a snippet, and how many of them come before the first match.
  const SNIPPET_LENGTH = 110;
  const SNIPPET_LEAD = 24;

  // The ranges of src/markdown/cjk.rs `is_cjk`.
  const CJK_RANGES = [
    [0x2e80, 0x2fdf], [0x3000, 0x303f], [0x3040, 0x30ff], [0x3100, 0x312f],
    [0x31c0, 0x31ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xf900, 0xfaff],
    [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xff61, 0xff9f], [0x20000, 0x3ffff],
  ];
  // Rust's char::is_alphanumeric.
  const ALPHANUMERIC = /^[\p{Alphabetic}\p{N}]$/u;
  const GAP = 0, CJK = 1, WORD = 2;

  const input = document.getElementById("search-query");
  const form = input && input.form;
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  if (!input || !form || !status || !list) return;

  function isCjk(ch) {
    const code = ch.codePointAt(0);
    return CJK_RANGES.some(([low, high]) => code >= low && code <= high);
  }

  function classOf(ch) {
    if (!ALPHANUMERIC.test(ch)) return GAP;
    return isCjk(ch) ? CJK : WORD;
  }

  // Full-width ASCII as ASCII, then lowercase when that stays one character.
  function fold(ch) {
    const code = ch.codePointAt(0);
    if (code >= 0xff01 && code <= 0xff5e) ch = String.fromCodePoint(code - 0xfee0);
    const lower = ch.toLowerCase();
    return [...lower].length === 1 ? lower : ch;
  }

  // Runs of folded characters of one class: [{kind, chars}].
  function runs(text) {
    const out = [];
    let current = null;
    for (const ch of [...text].map(fold)) {
      const kind = classOf(ch);
      if (!current || current.kind !== kind) {
        current = { kind, chars: [] };
        out.push(current);
      }
      current.chars.push(ch);
    }
    return out.filter((run) => run.kind !== GAP);
  }

  // The tokens of one run, as src/site/search.rs `tokens` makes them.
  function runTokens(run) {
    const chars = run.chars;
    if (run.kind === WORD) {
      return chars.length >= MIN_WORD_CHARS ? [chars.slice(0, MAX_WORD_CHARS).join("")] : [];
    }
    if (chars.length === 1) return [chars[0]];
    const pairs = [];
    for (let i = 0; i + 1 < chars.length; i++) pairs.push(chars[i] + chars[i + 1]);
    return pairs;
  }

  function tokensOf(text) {
    return runs(text).flatMap(runTokens);
  }

  // What a query looks for: distinct tokens, and the strings to highlight.
  function analyse(query) {
    const tokens = new Set();
    const needles = new Set();
    for (const run of runs(query)) {
      const found = runTokens(run);
      found.forEach((t) => { tokens.add(t); needles.add(t); });
      if (found.length) needles.add(run.chars.join(""));
    }
    return {
      tokens: [...tokens],
      needles: [...needles].map((n) => [...n]).sort((a, b) => b.length - a.length),
    };
  }

  // The index, parsed: docs as objects (with their title's tokens), postings
  // by token, still encoded.
  function parseIndex(raw) {
    if (!raw || raw.version !== FORMAT_VERSION || !Array.isArray(raw.docs)) {
      throw new Error("search index: unknown format");
    }
    const docs = raw.docs.map(([title, url, date, text]) =>
      ({ title, url, date, text, titleTokens: new Set(tokensOf(title)) }));
    const terms = new Map(Object.entries(raw.words || {}));
    // Groups of CJK tokens: a first character, then (ASCII) postings of the
    // character alone or (non-ASCII) second characters, each with their postings.
    for (const group of (raw.cjk || "").split(" ")) {
      const [first, ...rest] = [...group];
      let key = first, encoded = "";
      for (const ch of rest) {
        if (ch < "\x80") {
          encoded += ch;
          continue;
        }
        if (encoded) terms.set(key, encoded);
        key = first + ch;
        encoded = "";
      }
      if (encoded) terms.set(key, encoded);
    }
    return { docs, terms, keys: [...terms.keys()], decoded: new Map() };
  }

  // Postings of a token: [[doc id, level]], the level saying how often the
  // token occurs (0–3: 1, 2–3, 4–7, 8+ times). An entry is an id difference:
  // a decimal number of 13s, then a letter at 13 × level + the rest.
  function postings(index, key) {
    let found = index.decoded.get(key);
    if (found) return found;
    found = [];
    let id = 0, thirteens = 0;
    for (const ch of index.terms.get(key) || "") {
      const code = ch.charCodeAt(0);
      if (code >= 48 && code <= 57) {
        thirteens = thirteens * 10 + (code - 48);
        continue;
      }
      const letter = code >= 97 ? code - 97 : code - 65 + 26;
      id += thirteens * RADIX + (letter % RADIX);
      thirteens = 0;
      found.push([id, Math.floor(letter / RADIX)]);
    }
    index.decoded.set(key, found);
    return found;
  }

  // Index keys a token matches, with a weight: itself; for a lone CJK character
  // every pair holding it; for a word, longer words it starts (at half weight).
  function expand(index, token) {
    const chars = [...token];
    const keys = [[token, 1]];
    if (chars.length === 1 && isCjk(token)) {
      for (const key of index.keys) if (key !== token && key.includes(token)) keys.push([key, 1]);
    } else if (!isCjk(chars[0])) {
      for (const key of index.keys) if (key !== token && key.startsWith(token)) keys.push([key, 0.5]);
    }
    return keys;
  }

  // Documents holding a token, with their best score for it.
  function lookup(index, token) {
    const scores = new Map();
    for (const [key, weight] of expand(index, token)) {
      for (const [id, level] of postings(index, key)) {
        const inTitle = index.docs[id] && index.docs[id].titleTokens.has(key);
        const score = weight * ((inTitle ? TITLE_WEIGHT : 0) + level + 1);
        if (!(scores.get(id) >= score)) scores.set(id, score);
      }
    }
    return scores;
  }

  // Documents holding every token, best first (then newest first); when none
  // does, those holding at least half of them, most tokens first.
  // Returns {ids, partial}.
  function search(index, tokens) {
    const found = new Map(); // id → [tokens matched, score]
    for (const token of tokens) {
      for (const [id, score] of lookup(index, token)) {
        const [matched, total] = found.get(id) || [0, 0];
        found.set(id, [matched + 1, total + score]);
      }
    }
    const all = [...found].filter(([, [matched]]) => matched === tokens.length);
    const partial = !all.length;
    const ranked = partial
      ? [...found].filter(([, [matched]]) => matched * 2 >= tokens.length)
      : all;
    ranked.sort(([a, [ma, sa]], [b, [mb, sb]]) => mb - ma || sb - sa || a - b);
    return { ids: ranked.map(([id]) => id), partial };
  }

  // [start, end) character ranges of `chars` (folded) matching needles, longest first.
  function matches(chars, needles) {
    const ranges = [];
    for (let i = 0; i < chars.length; ) {
      const needle = needles.find((n) => n.every((ch, j) => chars[i + j] === ch));
      if (needle) {
        ranges.push([i, i + needle.length]);
        i += needle.length;
      } else {
        i++;
      }
    }
    return ranges;
  }

  // Text with its matches in <mark>, as DOM nodes: never parsed as HTML.
  function marked(text, needles, from, to) {
    const chars = [...text];
    const end = to === undefined ? chars.length : to;
    const fragment = document.createDocumentFragment();
    let at = from || 0;
    for (const [start, stop] of matches(chars.map(fold), needles)) {
      if (stop <= at || start >= end) continue;
      const a = Math.max(start, at), b = Math.min(stop, end);
      if (a > at) fragment.append(chars.slice(at, a).join(""));
      const mark = document.createElement("mark");
      mark.textContent = chars.slice(a, b).join("");
      fragment.append(mark);
      at = b;
    }
    if (at < end) fragment.append(chars.slice(at, end).join(""));
    return fragment;
  }

  // The part of a document's text around its first match, highlighted.
  function snippet(text, needles) {
    const chars = [...text];
    const first = matches(chars.map(fold), needles)[0];
    let start = first ? Math.max(0, first[0] - SNIPPET_LEAD) : 0;
    // Do not start in the middle of a word.
    while (start > 0 && start < chars.length && classOf(chars[start - 1]) === WORD && classOf(chars[start]) === WORD) start++;
    const end = Math.min(chars.length, start + SNIPPET_LENGTH);
    const p = document.createElement("p");
    p.className = "search-snippet";
    if (start > 0) p.append("…");
    p.append(marked(text, needles, start, end));
    if (end < chars.length) p.append("…");
    return p;
  }

  function result(doc, needles) {
    const item = document.createElement("li");
    item.className = "entry search-result";
    const heading = document.createElement("h2");
    heading.className = "entry-title";
    const link = document.createElement("a");
    link.href = doc.url;
    link.append(marked(doc.title, needles));
    heading.append(link);
    const meta = document.createElement("p");
    meta.className = "meta";
    const time = document.createElement("time");
    time.dateTime = doc.date;
    time.textContent = doc.date;
    meta.append(time);
    item.append(heading, meta, snippet(doc.text, needles));
    return item;
  }

  function show(index, query) {
    const { tokens, needles } = analyse(query);
    list.replaceChildren();
    if (!query.trim()) {
      status.textContent = `输入关键词，搜索全部 ${index.docs.length} 篇文章。`;
      return;
    }
    if (!tokens.length) {
      status.textContent = "请输入至少一个汉字或两个字母。";
      return;
    }
    const { ids, partial } = search(index, tokens);
    if (!ids.length) {
      status.textContent = `没有找到与“${query.trim()}”相关的文章。`;
      return;
    }
    const shown = ids.slice(0, MAX_RESULTS);
    const count = partial ? `没有完全匹配的文章，${ids.length} 篇部分匹配` : `找到 ${ids.length} 篇文章`;
    status.textContent = ids.length > shown.length
      ? `${count}，显示前 ${shown.length} 篇。`
      : `${count}。`;
    list.append(...shown.map((id) => result(index.docs[id], needles)));
  }

  // Keeps ?q= in the address, so a search can be shared and reloaded.
  function remember(query) {
    const url = new URL(location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  }

  const initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  status.textContent = "正在加载索引…";
  fetch(list.dataset.index)
    .then((response) => {
      if (!response.ok) throw new Error(`search index: HTTP ${response.status}`);
      return response.json();
    })
    .then((raw) => {
      const index = parseIndex(raw);
      let timer = 0;
      const run = () => {
        show(index, input.value);
        remember(input.value.trim());
      };
      input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(run, 120);
      });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        clearTimeout(timer);
        run();
      });
      show(index, initial);
    })
    .catch((error) => {
      status.textContent = "搜索索引加载失败，请稍后再试。";
      console.error(error);
    })
    .finally(() => list.setAttribute("aria-busy", "false"));
})();
