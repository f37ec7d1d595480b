// Minifies the package's JavaScript in place (issue 7: the package ≤ 150 KB gzip): every dist/**/*.js
// and the Emscripten glue dist/wasm/synckit.mjs, with esbuild (whitespace, syntax and local
// identifiers; ES modules stay ES modules, exported names stay). The .d.ts files are not touched.
// Used by scripts/build.mjs after tsc, and by bench/wasm/run for its private copies of the package:
//   node js/scripts/minify.mjs <dist dir>
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const scripts = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scripts(path);
    return entry.name.endsWith('.js') || entry.name === 'synckit.mjs' ? [path] : [];
  });

/** Minifies the JavaScript of a built dist/ directory in place. */
export function minifyDist(dist) {
  for (const file of scripts(dist)) {
    // target matches tsconfig.json's, so esbuild writes no syntax newer than tsc's output.
    const { code } = transformSync(readFileSync(file, 'utf8'), { minify: true, format: 'esm', target: 'es2022' });
    writeFileSync(file, code);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error('usage: node js/scripts/minify.mjs <dist dir>');
    process.exit(2);
  }
  minifyDist(resolve(process.argv[2]));
}
