/**
 * The one place text meets a terminal (docs/architecture.md, "Terminal safety").
 *
 * Span data is written by whoever reaches the listener, so any string in rendered text may carry
 * escape sequences, C1 controls or bidi overrides. Renderers do not escape field by field: every
 * piece of text bound for a terminal passes `toTerminal`, which shows each control character as
 * inert text (`\x1b`, `\u202e`). Our own styles cannot be told apart from an attacker's by their
 * bytes, so they are not written as ESC at all: `makeColors` marks them with a random per-process
 * marker of private-use characters, and `toTerminal` turns exactly those marks into SGR after
 * everything else is escaped. A span cannot guess the marker, so only our styles reach the terminal.
 *
 * Escaping is idempotent (the escapes are printable), so layout code may escape a field early to
 * measure it, and the writer's pass over the same text changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { textWidth } from './text-width.js';

/** Controls that act on a terminal or reorder what it shows. `\n` is ours: fields use `oneLine`. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Worker threads render text too (lint findings, the live view), and their styles must survive the
 * main thread's writer: workers inherit the environment, so the first thread to load this module
 * chooses the marker for all.
 */
function styleMarker(): string {
  const env = process.env;
  if (!env.LLMTRACE_STYLE_MARKER) {
    // Six characters from the private-use area U+E000–U+F8FF: 6400^6 choices.
    const bytes = randomBytes(12);
    const chars: number[] = [];
    for (let i = 0; i < 12; i += 2) chars.push(0xe000 + (bytes.readUInt16BE(i) % 6400));
    env.LLMTRACE_STYLE_MARKER = String.fromCharCode(...chars);
  }
  return env.LLMTRACE_STYLE_MARKER;
}

const MARKER = styleMarker();
const MARKED_STYLE = new RegExp(`${MARKER}\\[([0-9;]*)m`, 'g');

/** One SGR style as our renderers write it: a marked sequence that only `toTerminal` turns into ESC. */
export function markedStyle(codes: string): string {
  return `${MARKER}[${codes}m`;
}

/** `s` with every control character shown as an escape; newlines kept (they are the renderer's). */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escapeChar);
}

/** An untrusted field on one line: controls escaped, line breaks shown as `⏎`. */
export function oneLine(s: string): string {
  return s.replace(CONTROL_OR_NEWLINE, (c) => (c === '\n' ? '⏎' : escapeChar(c)));
}

/** Text without our styles, as a person sees it (controls escaped): also what markdown and csv output get. */
export function plainText(s: string): string {
  return escapeControls(s).replace(MARKED_STYLE, '');
}

/** Columns `s` takes once written: measured as printed, escapes shown, styles left out. */
export function visibleLength(s: string): number {
  return textWidth(plainText(s));
}

/** The text a terminal receives: controls escaped, then our marked styles turned into SGR. */
export function toTerminal(text: string): string {
  return escapeControls(text).replace(MARKED_STYLE, '\u001b[$1m');
}

/** Our own terminal control: clear the current line (the running total of `tail`). */
export const CLEAR_LINE = '\r\u001b[2K';

/**
 * Characters JSON may carry raw but a terminal could act on or reorder: C1 controls, DEL, bidi
 * controls and line separators. Outside strings JSON has only ASCII structure, so escaping them
 * anywhere in a JSON text keeps it valid and decodes to the same value.
 */
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function jsonSafe(text: string): string {
  return text.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether UTF-8 JSON holds a character `jsonSafe` escapes: DEL, C2 80–9F (C1), D8 9C (U+061C),
 * E2 80 8E/8F/A8–AE, E2 81 A6–A9. Found with native byte searches and a look at the bytes after
 * each lead byte, because `…` and `→` (E2 too) are in most lint messages: decoding every chunk
 * that has one slowed `lint --format json` measurably (docs/architecture.md "Measurements behind
 * constants").
 */
export function needsJsonSafe(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.indexOf(0x7f) !== -1) return true;
  for (let i = b.indexOf(0xc2); i !== -1; i = b.indexOf(0xc2, i + 1)) {
    const next = b[i + 1]!;
    if (next >= 0x80 && next <= 0x9f) return true;
  }
  for (let i = b.indexOf(0xd8); i !== -1; i = b.indexOf(0xd8, i + 1)) if (b[i + 1] === 0x9c) return true;
  for (let i = b.indexOf(0xe2); i !== -1; i = b.indexOf(0xe2, i + 1)) {
    const [n1, n2] = [b[i + 1]!, b[i + 2]!];
    if (n1 === 0x80 && (n2 === 0x8e || n2 === 0x8f || (n2 >= 0xa8 && n2 <= 0xae))) return true;
    if (n1 === 0x81 && n2 >= 0xa6 && n2 <= 0xa9) return true;
  }
  return false;
}

/** How text of an output format is made safe before it is written. */
export type OutputKind = 'terminal' | 'plain' | 'json';

const decoder = new TextDecoder();

/** Applies the rules of `kind` to one chunk of output, text or UTF-8 bytes rendered elsewhere. */
export function safeChunk(chunk: string | Uint8Array, kind: OutputKind): string | Uint8Array {
  if (typeof chunk !== 'string') {
    if (kind === 'json' && !needsJsonSafe(chunk)) return chunk;
    return Buffer.from(safeChunk(decoder.decode(chunk), kind) as string, 'utf8');
  }
  if (kind === 'json') return jsonSafe(chunk);
  return kind === 'terminal' ? toTerminal(chunk) : plainText(chunk);
}
