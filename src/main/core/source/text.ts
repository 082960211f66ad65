// Text helpers for message content. Everything here is a single forward scan (indexOf only), so
// a 50 MB answer costs one pass and no regular expression can backtrack on it.

const OPEN = '<details';
const CLOSE = '</details>';

function isTagBoundary(code: number | undefined): boolean {
  // '>', '/', or whitespace after "<details" makes it a tag (not "<detailsfoo").
  return code === 62 || code === 47 || code === 32 || code === 9 || code === 10 || code === 13;
}

function nextOpenTag(text: string, from: number): number {
  let i = text.indexOf(OPEN, from);
  while (i >= 0 && !isTagBoundary(text.charCodeAt(i + OPEN.length))) i = text.indexOf(OPEN, i + OPEN.length);
  return i;
}

/** Index just past the `</details>` that closes a block whose body starts at `from`; nesting counts. */
function blockEnd(text: string, from: number): number {
  let depth = 1;
  let open = nextOpenTag(text, from);
  let close = text.indexOf(CLOSE, from);
  while (close >= 0) {
    if (open >= 0 && open < close) {
      depth++;
      open = nextOpenTag(text, open + OPEN.length);
      continue;
    }
    depth--;
    const after = close + CLOSE.length;
    if (depth === 0) return after;
    close = text.indexOf(CLOSE, after);
  }
  // Unterminated (a reasoning block still streaming): it runs to the end of the content.
  return text.length;
}

function hasTypeAttribute(attrs: string): boolean {
  let i = attrs.indexOf('type');
  while (i >= 0) {
    const before = attrs.charCodeAt(i - 1);
    if (i === 0 || before === 32 || before === 9 || before === 10 || before === 13) {
      let j = i + 4;
      while (attrs.charCodeAt(j) === 32) j++;
      if (attrs.charCodeAt(j) === 61) return true; // '='
    }
    i = attrs.indexOf('type', i + 4);
  }
  return false;
}

/**
 * Removes `<details type="…">…</details>` blocks (reasoning, tool calls, code interpreter runs
 * serialised into content before Open WebUI 0.10), including nested and multi-line ones.
 * A plain `<details>` without a type attribute is the user's own HTML and stays.
 */
export function stripDetailsBlocks(text: string): string {
  let open = nextOpenTag(text, 0);
  if (open < 0) return text;
  let out = '';
  let cursor = 0;
  while (open >= 0) {
    const tagEnd = text.indexOf('>', open + OPEN.length);
    if (tagEnd < 0) break;
    if (!hasTypeAttribute(text.slice(open + OPEN.length, tagEnd))) {
      open = nextOpenTag(text, tagEnd + 1);
      continue;
    }
    const end = blockEnd(text, tagEnd + 1);
    out += text.slice(cursor, open);
    cursor = end;
    open = end < text.length ? nextOpenTag(text, end) : -1;
  }
  return out + text.slice(cursor);
}

export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/** Content as a person would read it: no reasoning/tool blocks, no NUL characters, trimmed. */
export function cleanContent(text: string): string {
  return stripDetailsBlocks(stripNul(text)).trim();
}
