import type { AttachmentKind } from './types.ts';

// Attachments are summarised by kind only: the summary needs "2 PDFs, 1 image", never the
// file itself (old chats carry images inline as base64 data URLs, which we must not copy).

type Json = Record<string, unknown>;

const EXT: Record<string, AttachmentKind> = {};
function kind(k: AttachmentKind, exts: string): void {
  for (const e of exts.split(' ')) EXT[e] = k;
}
kind('image', 'png jpg jpeg gif webp bmp svg tif tiff heic heif ico avif');
kind('pdf', 'pdf');
kind('spreadsheet', 'xlsx xls xlsm ods csv tsv numbers');
kind('document', 'doc docx odt rtf txt md markdown html htm pptx ppt odp epub tex pages key xml eml msg');
kind(
  'code',
  'py js mjs cjs ts tsx jsx java c h cc cpp hpp cs go rs rb php swift kt kts scala sql sh bash ps1 r m lua pl dart vue svelte json yaml yml toml ini ipynb css scss',
);
kind('audio', 'mp3 wav m4a ogg oga flac aac webm opus wma');

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function byContentType(ct: string): AttachmentKind | null {
  const t = ct.toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t.startsWith('audio/')) return 'audio';
  if (t === 'application/pdf') return 'pdf';
  if (t.includes('spreadsheet') || t.includes('excel') || t === 'text/csv' || t === 'text/tab-separated-values') return 'spreadsheet';
  if (
    t.includes('python') || t.includes('javascript') || t.includes('typescript') || t === 'application/json' ||
    t.includes('x-sh') || t.includes('x-c') || t.includes('java') || t.includes('sql') || t.includes('yaml')
  ) {
    return 'code';
  }
  if (
    t.startsWith('text/') || t.includes('word') || t.includes('document') || t.includes('presentation') ||
    t.includes('powerpoint') || t.includes('rtf') || t.includes('epub')
  ) {
    return 'document';
  }
  return null;
}

function byName(name: string): AttachmentKind | null {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot === name.length - 1) return null;
  return EXT[name.slice(dot + 1).toLowerCase()] ?? null;
}

/** Kind of one entry of a message's `files` list (upload, pasted image, generated image, reference). */
export function classifyAttachment(file: unknown): AttachmentKind {
  if (!isObject(file)) return 'other';
  const inner = isObject(file.file) ? file.file : null;
  const meta = isObject(file.meta) ? file.meta : inner && isObject(inner.meta) ? inner.meta : null;
  const url = typeof file.url === 'string' ? file.url : '';
  if (file.type === 'image' || url.startsWith('data:image/')) return 'image';
  const ct = str(file.content_type) ?? str(meta?.content_type) ?? null;
  const fromType = ct ? byContentType(ct) : null;
  if (fromType) return fromType;
  const name = str(file.name) ?? str(meta?.name) ?? str(inner?.filename) ?? null;
  const fromName = name ? byName(name) : null;
  if (fromName) return fromName;
  if (url.startsWith('data:audio/')) return 'audio';
  return 'other';
}

/** Kinds of every attachment of a message: its `files` plus image blocks inside list content. */
export function messageAttachments(files: unknown, content: unknown): AttachmentKind[] {
  const out: AttachmentKind[] = [];
  if (Array.isArray(files)) for (const f of files) if (isObject(f)) out.push(classifyAttachment(f));
  if (Array.isArray(content)) {
    for (const block of content) {
      if (isObject(block) && (block.type === 'image_url' || block.type === 'input_image' || block.type === 'image')) out.push('image');
    }
  }
  return out;
}
