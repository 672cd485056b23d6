// blogsmith: a "copy" button on every code block. No dependency; line
// numbers are CSS-generated, so they are not copied.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (not localhost): the older way, through a hidden textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  function addButton(pre) {
    var code = pre.querySelector("code");
    if (!code || pre.parentNode.classList.contains("code-frame")) { return; }
    var frame = document.createElement("div");
    frame.className = "code-frame";
    pre.parentNode.insertBefore(frame, pre);
    frame.appendChild(pre);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    button.textContent = "复制";
    button.setAttribute("aria-label", "复制代码");
    button.setAttribute("aria-live", "polite");
    button.addEventListener("click", function () {
      copyText(code.textContent.replace(/\n$/, "")).then(function () {
        button.textContent = "已复制";
      }, function () {
        button.textContent = "复制失败";
      });
      window.setTimeout(function () { button.textContent = "复制"; }, 2000);
    });
    frame.appendChild(button);
  }

  document.querySelectorAll("pre.code").forEach(addButton);
})();
