/** The terminal writer's rules (src/lib/render/terminal.ts), on any string. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeColors } from '../../src/lib/render/colors.js';
import { escapeControls, jsonSafe, needsJsonSafe, oneLine, safeChunk, toTerminal, visibleLength } from '../../src/lib/render/terminal.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const anyText = fc.string({ unit: 'binary', maxLength: 200 });
const on = makeColors({ env: { FORCE_COLOR: '1' } });

describe('terminal writer', () => {
  it('leaves nothing a terminal acts on but newlines, whatever the text', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const out = toTerminal(s);
        expect(RAW.test(out)).toBe(false);
        expect(out.includes('\u001b')).toBe(false);
      }),
    );
  });

  it('escaping is idempotent, so layout may escape early', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(escapeControls(escapeControls(s))).toBe(escapeControls(s));
      }),
    );
  });

  it('turns only our styles into SGR; styles inside span data stay text', () => {
    const attack = '\u001b[31mred\u001b]0;title\u0007';
    const out = toTerminal(on.red(`x${attack}`));
    expect(out).toBe('\u001b[31mx\\x1b[31mred\\x1b]0;title\\x07\u001b[39m');
  });

  it('nested styles reopen the outer one', () => {
    expect(toTerminal(on.red(`a${on.bold('b')}c`))).toBe('\u001b[31ma\u001b[1mb\u001b[22mc\u001b[39m');
    expect(toTerminal(on.dim(`a${on.bold('b')}c`))).toBe('\u001b[2ma\u001b[1mb\u001b[22m\u001b[2mc\u001b[22m');
  });

  it('measures text as written: styles take no columns, an escape takes its text', () => {
    expect(visibleLength(on.red('ab'))).toBe(2);
    expect(visibleLength('a\u001bb')).toBe(6);
  });

  it('oneLine shows line breaks as ⏎', () => {
    expect(oneLine('a\nb\r\nc\u2028d')).toBe('a⏎b\\x0d⏎c\\u2028d');
  });

  it('JSON: escapes what a terminal could act on and decodes to the same value', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const text = jsonSafe(JSON.stringify({ s }));
        expect(RAW.test(text)).toBe(false);
        expect((JSON.parse(text) as { s: string }).s).toBe(s);
      }),
    );
  });

  it('finds exactly the bytes of the characters JSON output escapes', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const text = JSON.stringify({ s });
        expect(needsJsonSafe(Buffer.from(text))).toBe(jsonSafe(text) !== text);
      }),
    );
    expect(needsJsonSafe(Buffer.from('{"m":"a … b → c"}'))).toBe(false);
    expect(needsJsonSafe(Buffer.from('{"m":"a \u202e b"}'))).toBe(true);
  });

  it('bytes rendered elsewhere get the same rules', () => {
    const bytes = Buffer.from(JSON.stringify({ s: 'a\u009bb\u202ec' }));
    expect(Buffer.from(safeChunk(bytes, 'json')).toString()).toBe('{"s":"a\\u009bb\\u202ec"}');
    const plain = Buffer.from('{"s":"abc"}');
    expect(safeChunk(plain, 'json')).toBe(plain);
    expect(Buffer.from(safeChunk(Buffer.from('a\u001b[2Jb'), 'terminal')).toString()).toBe('a\\x1b[2Jb');
  });
});
