// blogsmith serve: live reload and the build-error overlay.
// Only `blogsmith serve` puts this script in pages; `blogsmith build` never does.
(() => {
  'use strict';

  const navigation = performance.getEntriesByType('navigation')[0];
  const timing = (name) =>
    navigation && navigation.serverTiming
      ? navigation.serverTiming.find((t) => t.name === name)
      : undefined;
  // The build this page was served from (the server says so in Server-Timing);
  // 0 is the placeholder shown before the first good build.
  const served = timing('blogsmith');
  const pageVersion = served ? Number(served.description) : -1;
  const notFound = timing('blogsmith-404') !== undefined;
  let version = pageVersion;
  let server = null;

  const decodedPath = (url) => {
    try {
      const u = new URL(url, location.href);
      if (u.origin !== location.origin) return null;
      return decodeURIComponent(u.pathname);
    } catch {
      return null;
    }
  };
  let me = decodedPath(location.href) || '/';
  if (me.endsWith('/index.html')) me = me.slice(0, -'index.html'.length);

  const isPage = (path) => path.endsWith('/') || path.endsWith('.html');

  // Replaces a stylesheet without a flash: the new one loads, then the old one goes.
  const swapStylesheet = (link, path) => {
    const fresh = link.cloneNode();
    fresh.href = `${path}?blogsmith=${version}`;
    fresh.addEventListener('load', () => link.remove(), { once: true });
    fresh.addEventListener('error', () => fresh.remove(), { once: true });
    link.after(fresh);
  };

  const apply = (changed) => {
    if (pageVersion === 0 || changed.includes(me) || (notFound && changed.includes('/404.html'))) {
      location.reload();
      return;
    }
    const loaded = new Set(
      performance.getEntriesByType('resource').map((r) => decodedPath(r.name)),
    );
    const sheets = [...document.querySelectorAll('link[rel~="stylesheet"]')];
    let reload = false;
    for (const path of changed) {
      if (isPage(path)) continue;
      const link = sheets.find((l) => decodedPath(l.href) === path);
      if (link) swapStylesheet(link, path);
      else if (loaded.has(path)) reload = true;
    }
    if (reload) location.reload();
  };

  // The overlay lives in a shadow root: the page's CSS cannot touch it, nor it the page.
  let host = null;
  const overlay = (errors) => {
    if (!errors.length) {
      if (host) host.remove();
      host = null;
      return;
    }
    if (!host) {
      host = document.createElement('blogsmith-overlay');
      host.attachShadow({ mode: 'open' });
    }
    const root = host.shadowRoot;
    root.replaceChildren();
    const style = document.createElement('style');
    style.textContent = `
      :host { all: initial; position: fixed; inset: 0 0 auto 0; z-index: 2147483647; }
      .panel { max-height: 80vh; overflow: auto; margin: 0; padding: 16px 20px;
        background: #2b0b0e; color: #ffe3e3; border-bottom: 4px solid #ff5c5c;
        font: 14px/1.55 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
        box-shadow: 0 6px 24px rgba(0, 0, 0, .35); }
      h2 { margin: 0 0 4px; font: bold 16px/1.4 system-ui, sans-serif; color: #ff8f8f; }
      p.note { margin: 0 0 10px; font: 13px/1.4 system-ui, sans-serif; color: #ffc9c9; }
      ol { margin: 0; padding: 0 0 0 1.4em; }
      li { margin: 6px 0; white-space: pre-wrap; word-break: break-word; }
      .location { color: #fff; font-weight: bold; }
      .hint { color: #ffd38a; }
      button { position: absolute; top: 10px; right: 14px; background: none; border: 0;
        color: #ffe3e3; font: 20px/1 system-ui, sans-serif; cursor: pointer; }`;
    const panel = document.createElement('div');
    panel.className = 'panel';
    panel.setAttribute('role', 'alert');
    const title = document.createElement('h2');
    title.textContent = `构建失败 · Build failed (${errors.length})`;
    const note = document.createElement('p');
    note.className = 'note';
    note.textContent = '页面仍是上一次成功构建的内容；改好后会自动刷新。 Showing the last good build; fix the files and this page updates.';
    const list = document.createElement('ol');
    for (const error of errors) {
      const item = document.createElement('li');
      const where = document.createElement('span');
      where.className = 'location';
      where.textContent = error.location;
      item.append(where, `: ${error.message}`);
      if (error.hint) {
        const hint = document.createElement('span');
        hint.className = 'hint';
        hint.textContent = ` (hint: ${error.hint})`;
        item.append(hint);
      }
      list.append(item);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.title = 'Dismiss';
    close.textContent = '×';
    close.addEventListener('click', () => overlay([]));
    panel.append(close, title, note, list);
    root.append(style, panel);
    if (!host.isConnected) document.documentElement.append(host);
  };

  const handlers = {
    hello(data) {
      const restarted = server !== null && data.server !== server;
      const missed = version >= 0 && data.version !== version;
      if (restarted || missed) {
        location.reload();
        return;
      }
      server = data.server;
      version = data.version;
      overlay(data.errors);
      document.documentElement.dataset.blogsmith = 'live';
    },
    reload(data) {
      overlay([]);
      if (data.version <= version) return;
      version = data.version;
      apply(data.changed);
    },
    errors(data) {
      overlay(data.errors);
    },
  };

  // A stream of our own, where shared workers are missing (Chrome on Android)
  // or cannot open one.
  const ownStream = () => {
    const source = new EventSource('/__blogsmith/events');
    for (const [name, handle] of Object.entries(handlers)) {
      source.addEventListener(name, (event) => handle(JSON.parse(event.data)));
    }
  };

  // Every open page of the site shares one stream, held by a shared worker:
  // browsers allow six connections per host, and a stream holds one.
  let worker = null;
  try {
    if (typeof SharedWorker === 'function') {
      worker = new SharedWorker('/__blogsmith/live-worker.js', { name: 'blogsmith-live' });
    }
  } catch {
    worker = null;
  }
  if (!worker) {
    ownStream();
    return;
  }
  worker.port.onmessage = (message) => {
    const { name, data } = message.data;
    if (name === 'unsupported') ownStream();
    else if (handlers[name]) handlers[name](JSON.parse(data));
  };
  // A page kept for the back button keeps its place; one that is gone leaves.
  addEventListener('pagehide', (event) => {
    if (!event.persisted) worker.port.postMessage('bye');
  });
})();
