// Validate GLB files with the Khronos glTF Validator and print one JSON report per file.
// Usage: node validate_gltf.mjs <gltf-validator module dir> <file.glb>...
// Output: a JSON array of {path, report} on stdout.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const [moduleDir, ...files] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(moduleDir), "package.json"));
const validator = require(path.resolve(moduleDir));

const results = [];
for (const file of files) {
  const bytes = await readFile(file);
  const report = await validator.validateBytes(new Uint8Array(bytes), {
    uri: path.basename(file),
    maxIssues: 0,
    writeTimestamp: false,
  });
  results.push({ path: file, report });
}
process.stdout.write(JSON.stringify(results));
