#!/usr/bin/env node
// Package bin: runs the TypeScript CLI through tsx so the headless tool needs no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register();
const cli = fileURLToPath(new URL('../src/main/cli.ts', import.meta.url));
await import(cli);
