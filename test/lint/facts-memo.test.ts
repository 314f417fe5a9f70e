import { describe, expect, it } from 'vitest';
import { ByteBuilder } from '../../src/lib/lint/render/byte-builder.js';
import { FactsMemo, codeOf, codesKey, isShared, listKey } from '../../src/lib/lint/facts-memo.js';
import { keyInfo } from '../../src/lib/lint/keys.js';
import { lintFiles } from './helpers.js';

describe('shared facts', () => {
  it('hands out one object per memo key, marked shared, up to its limit', () => {
    const memo = new FactsMemo<{ n: number }>(2);
    const a = memo.get('a') ?? memo.put('a', { n: 1 });
    expect(memo.get('a')).toBe(a);
    expect(isShared(a)).toBe(true);
    memo.put('b', { n: 2 });
    const c = memo.put('c', { n: 3 });
    expect(memo.get('c')).toBeUndefined();
    expect(isShared(c)).toBe(false);
  });

  it('builds keys that cannot collide', () => {
    expect(listKey(['a', 'b'])).not.toBe(listKey(['a\0b']));
    expect(listKey(['a\0b'])).toBeUndefined();
    expect(codesKey([codeOf('llm'), codeOf('required')])).toBe(codesKey([codeOf('llm'), codeOf('required')]));
    expect(codesKey([codeOf('llm'), -1])).toBeUndefined();
    // Attribute keys have codes from 1 (never NUL), below the codes of other strings.
    const code = keyInfo('gen_ai.request.model').code;
    expect(code).toBeGreaterThan(0);
    expect(code).toBeLessThan(codeOf('llm'));
  });

  it('are shared across spans of the fixtures, and equal to facts built afresh', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync('fixtures/lint').filter((f) => f.endsWith('.json')).map((f) => `fixtures/lint/${f}`);
    const first = await lintFiles(files);
    const again = await lintFiles(files);
    expect(again.findings.map((f) => JSON.stringify(f))).toEqual(first.findings.map((f) => JSON.stringify(f)));
    const shared = again.findings.filter((f) => isShared(f.facts));
    expect(shared.length).toBeGreaterThan(10);
    for (const f of shared) expect(first.findings.some((g) => g.facts === f.facts)).toBe(true);
  });
});

describe('ByteBuilder', () => {
  it('hands out what was built in buffers of their own, growing as needed', () => {
    const b = new ByteBuilder();
    b.text('ünï');
    b.byte(0x2c);
    b.bytes(Buffer.from('x'.repeat(100_000)));
    b.again(0, 5);
    const one = b.take();
    expect(Buffer.from(one).toString('utf8')).toBe(`ünï,${'x'.repeat(100_000)}ünï`);
    b.text('second');
    const two = b.take();
    expect(Buffer.from(two).toString('utf8')).toBe('second');
    expect(one.buffer).not.toBe(two.buffer);
    expect(Buffer.from(one).toString('utf8').length).toBe(100_007);
  });
});
