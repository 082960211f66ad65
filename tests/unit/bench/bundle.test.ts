import { describe, expect, it } from 'vitest';
import { staticImports } from '../../../bench/bundle.ts';

// The bundle benchmark counts the entry chunk and what it imports statically; a lazy page
// (`import("./Dashboard.js")`) loads later and must not be counted as initial JavaScript.

describe('staticImports', () => {
  it('finds named, namespace, default and bare imports of minified chunks', () => {
    const code =
      'import{a as b,c}from"./vendor-1.js";import*as d from"./ns-2.js";import e from\'./def-3.js\';import"./side-4.js";' +
      'import {x} from "../up-5.js";const f=1;';
    expect(staticImports(code).sort()).toEqual(['../up-5.js', './def-3.js', './ns-2.js', './side-4.js', './vendor-1.js']);
  });

  it('ignores dynamic imports, including Vite preload wrappers', () => {
    const code = 'const P=()=>import("./Dashboard-9.js");const Q=__vitePreload(()=>import(\'./Users-8.js\'),__vite__mapDeps([0,1]));';
    expect(staticImports(code)).toEqual([]);
  });

  it('ignores bare package specifiers and non-JS assets', () => {
    expect(staticImports('import r from"react";import"./style.css";')).toEqual([]);
  });
});
