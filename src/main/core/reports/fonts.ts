import { createRequire } from 'node:module';
import path from 'node:path';
import pdfmake from 'pdfmake';
import type { TFontDictionary } from 'pdfmake/interfaces';

// PDF fonts: Roboto as shipped inside the pdfmake package (Apache 2.0). It covers Latin
// Extended-A, so Hungarian ő ű Ő Ű render, as do – … € ≤ ≥. The TTFs are embedded (subset)
// in every PDF, so the report looks the same on any machine. Roboto has no Bold cut in the
// package; Medium stands in for bold.

// Not named `require`: electron-vite's ESM shim declares a top-level `require` in any bundled
// chunk that calls require.resolve(, and a second declaration is a SyntaxError at import.
const requireFromHere = createRequire(import.meta.url);
const ROBOTO_DIR = path.join(path.dirname(requireFromHere.resolve('pdfmake/package.json')), 'fonts', 'Roboto');

export const FONT_FAMILY = 'Roboto';

export const FONT_FILES = {
  normal: path.join(ROBOTO_DIR, 'Roboto-Regular.ttf'),
  bold: path.join(ROBOTO_DIR, 'Roboto-Medium.ttf'),
  italics: path.join(ROBOTO_DIR, 'Roboto-Italic.ttf'),
  bolditalics: path.join(ROBOTO_DIR, 'Roboto-MediumItalic.ttf'),
} as const;

const ALLOWED_FILES = new Set<string>(Object.values(FONT_FILES));

let configured = false;

/**
 * The pdfmake instance, configured once: our fonts, and access policies that let it read the
 * four font files and nothing else — no URL is ever fetched and no other local file read,
 * whatever text ends up in the document.
 */
export function pdfMaker(): typeof pdfmake {
  if (!configured) {
    pdfmake.setUrlAccessPolicy(() => false);
    pdfmake.setLocalAccessPolicy((file) => ALLOWED_FILES.has(path.resolve(file)));
    configured = true;
  }
  // pdfmake resolves (and rewrites) the descriptors on each document, so hand it a fresh copy.
  const fonts: TFontDictionary = { [FONT_FAMILY]: { ...FONT_FILES } };
  pdfmake.setFonts(fonts);
  return pdfmake;
}
