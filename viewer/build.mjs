// Builds the viewer into ONE self-contained HTML file (script and style inline, no URL loaded):
//   node build.mjs                      -> ../rodin_mcp/server/viewer_dist/viewer.html
//   node build.mjs --out FILE           -> FILE
//   node build.mjs --bundle ENTRY FILE  -> an ES module bundle of ENTRY resolved against this
//                                          folder's node_modules (the browser test's host page)
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = join(here, "node_modules");

async function bundle(entry) {
  const built = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    nodePaths: [nodeModules],
    write: false,
    logLevel: "warning",
  });
  return built.outputFiles[0].text;
}

async function buildViewer(out) {
  const [template, style, script] = await Promise.all([
    readFile(join(here, "src/index.html"), "utf8"),
    readFile(join(here, "src/style.css"), "utf8"),
    bundle(join(here, "src/main.js")),
  ]);
  if (/<\/script/i.test(script)) throw new Error("the bundle contains </script; cannot inline it");
  // Function replacements: the bundle's text is inserted as is ($-patterns stay literal).
  const html = template
    .replace("/*STYLE*/", () => style)
    .replace("<!--SCRIPT-->", () => `<script type="module">${script}</script>`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  const bytes = Buffer.byteLength(html);
  const gzipped = gzipSync(html).length;
  console.error(`viewer: ${out} (${bytes} bytes, ${gzipped} gzipped)`);
}

const args = process.argv.slice(2);
if (args[0] === "--bundle" && args.length === 3) {
  const out = resolve(args[2]);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await bundle(resolve(args[1])));
} else if (args.length === 0 || (args[0] === "--out" && args.length === 2)) {
  await buildViewer(resolve(args[1] ?? join(here, "../rodin_mcp/server/viewer_dist/viewer.html")));
} else {
  console.error("usage: node build.mjs [--out FILE] | --bundle ENTRY FILE");
  process.exit(2);
}
