// Builds the package into dist/: TypeScript (src/ -> dist/*.js + *.d.ts) and the wasm module from
// the wasm-release preset's build (build/wasm-release/wasm, or $SYNCKIT_WASM_DIR), then minifies
// the JavaScript (scripts/minify.mjs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minifyDist } from './minify.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = resolve(process.env.SYNCKIT_WASM_DIR ?? join(root, '..', 'build', 'wasm-release', 'wasm'));
for (const file of ['synckit.mjs', 'synckit.wasm']) {
  if (!existsSync(join(wasmDir, file))) {
    console.error(`js/scripts/build.mjs: ${join(wasmDir, file)} is missing: build the wasm-release preset first`);
    process.exit(1);
  }
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
mkdirSync(join(root, 'dist', 'wasm'), { recursive: true });
for (const file of ['synckit.mjs', 'synckit.wasm']) copyFileSync(join(wasmDir, file), join(root, 'dist', 'wasm', file));
minifyDist(join(root, 'dist'));
console.log(`js: built dist/ (wasm from ${wasmDir})`);
