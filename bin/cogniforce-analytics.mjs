#!/usr/bin/env node
// Package bin: runs the built CLI (out/main/cli.js from `npm run build`) when no source file is
// newer than it: it starts in about half the time, as Node loads plain JavaScript without a
// transform per module. Otherwise the TypeScript sources run through tsx, so the headless tool
// needs no build step and an edited source is never shadowed by an older build.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const built = new URL('out/main/cli.js', root);
const sources = ['src/main', 'src/shared'].map((dir) => fileURLToPath(new URL(dir, root)));

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

function newestSourceMs() {
  let newest = 0;
  for (const dir of sources) {
    for (const name of fs.readdirSync(dir, { recursive: true })) {
      newest = Math.max(newest, mtimeMs(`${dir}/${name}`) ?? 0);
    }
  }
  return newest;
}

const builtMs = process.env.COGNIFORCE_CLI_FROM_SOURCES ? null : mtimeMs(fileURLToPath(built));
if (builtMs !== null && builtMs >= newestSourceMs()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/main/cli.ts', root).href);
}
