// Benchmark: the renderer's initial JavaScript — the entry chunk of out/renderer/index.html and
// every chunk it imports statically (lazy pages load later and are not counted), minified as
// built and gzip-compressed. Reference: the floor of any React app, React + ReactDOM's client
// rendering one element, bundled and minified by the same Vite in the same run. The Dashboard route
// (initial + its lazy chunk and that chunk's static imports) is reported alongside, since it is
// what the first paint really waits for.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { build } from 'vite';

const exec = promisify(execFile);
export const BUNDLE_TARGET_BYTES = 1_000_000;
const RENDERER = path.resolve('out/renderer');

/** Static imports of a built ES module: `import … from "./x.js"` and `import "./x.js"`, not `import("./x.js")`. */
export function staticImports(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g)) found.add(m[1]!);
  return [...found];
}

function closure(entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = fs.readFileSync(file, 'utf8');
    for (const spec of staticImports(code)) queue.push(path.resolve(path.dirname(file), spec));
  }
  return [...seen];
}

function sizes(files: string[]): { bytes: number; gzipBytes: number } {
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const data = fs.readFileSync(f);
    bytes += data.length;
    gzipBytes += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { bytes, gzipBytes };
}

async function reactFloor(): Promise<{ bytes: number; gzipBytes: number }> {
  // Inside the project, so 'react' resolves from its node_modules.
  const dir = path.resolve('node_modules/.cache/cogniforce-bench-react');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    const entry = path.join(dir, 'entry.js');
    fs.writeFileSync(entry, "import { createElement } from 'react';\nimport { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')).render(createElement('p', null, 'hello'));\n");
    const outDir = path.join(dir, 'out');
    await build({
      configFile: false,
      root: dir,
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, minify: true, rollupOptions: { input: entry, output: { entryFileNames: 'floor.js' } } },
    });
    return sizes([path.join(outDir, 'floor.js')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchBundle(log: (line: string) => void): Promise<Record<string, unknown>> {
  const html = path.join(RENDERER, 'index.html');
  let builtNow = false;
  if (!fs.existsSync(html)) {
    log('out/renderer is missing: building the renderer (vite build -c vite.renderer.config.ts) …');
    await exec(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '-c', 'vite.renderer.config.ts', '--logLevel', 'warn'], { maxBuffer: 1 << 24 });
    builtNow = true;
  }
  const page = fs.readFileSync(html, 'utf8');
  const entries = [...page.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => path.resolve(RENDERER, m[1]!));
  const preloads = [...page.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => path.resolve(RENDERER, m[1]!));
  if (entries.length === 0) throw new Error(`${html} has no module script`);
  const initialFiles = closure([...entries, ...preloads]);
  const initial = sizes(initialFiles);
  const css = sizes([...page.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => path.resolve(RENDERER, m[1]!)));
  const dashboardChunk = fs.readdirSync(path.join(RENDERER, 'assets')).find((f) => /^Dashboard-.*\.js$/.test(f));
  const dashboardFiles = dashboardChunk ? closure([...initialFiles, path.join(RENDERER, 'assets', dashboardChunk)]) : initialFiles;
  const dashboard = sizes(dashboardFiles);
  const floor = await reactFloor();
  const kb = (n: number): number => Math.round(n / 102.4) / 10;
  return {
    initialJsKb: kb(initial.bytes),
    initialJsGzipKb: kb(initial.gzipBytes),
    initialChunks: initialFiles.map((f) => path.relative(RENDERER, f)),
    initialCssKb: kb(css.bytes),
    dashboardRouteJsKb: kb(dashboard.bytes),
    dashboardRouteJsGzipKb: kb(dashboard.gzipBytes),
    builtNow,
    reference: { what: 'React + ReactDOM client rendering one element, built and minified by the same Vite', jsKb: kb(floor.bytes), jsGzipKb: kb(floor.gzipBytes) },
    ratio: Math.round((initial.bytes / floor.bytes) * 100) / 100,
    target: `initial JS < ${BUNDLE_TARGET_BYTES / 1e6} MB minified`,
    pass: initial.bytes < BUNDLE_TARGET_BYTES,
  };
}
