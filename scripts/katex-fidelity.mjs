// Renders formulas with KaTeX.js, for examples/katex_fidelity.rs.
//   node scripts/katex-fidelity.mjs formulas.json out.json
// KaTeX is installed (pinned to the version katex-rs tracks) under target/tools.
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const VERSION = "0.18.5";
const tools = "target/tools/katex-js";
if (!existsSync(`${tools}/node_modules/katex/package.json`)) {
  mkdirSync(tools, { recursive: true });
  execSync(`npm install --silent --prefix ${tools} katex@${VERSION}`, { stdio: "inherit" });
}
const require = createRequire(import.meta.url);
const katex = require(`${process.cwd()}/${tools}/node_modules/katex`);
const formulas = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = formulas.map(({ tex, display }) => {
  try {
    return katex.renderToString(tex, { displayMode: display, throwOnError: true });
  } catch (e) {
    return null;
  }
});
writeFileSync(process.argv[3], JSON.stringify(out));
