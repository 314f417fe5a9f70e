/**
 * The README's coding-agents block is what `llmtrace init` prints for them (issue #19), at tail's
 * default ports: the setup a reader copies is the one the recordings verified.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codingAgentsGuide } from '../../src/lib/init/coding-agents.js';

describe('README: coding agents', () => {
  it('shows exactly the settings init prints', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.slice(readme.indexOf('<!-- coding-agents:start -->'), readme.indexOf('<!-- coding-agents:end -->'));
    const shown = block.slice(block.indexOf('```\n') + 4, block.lastIndexOf('```'));
    const printed = codingAgentsGuide('http://127.0.0.1:4318', 'http://127.0.0.1:4317');
    expect(shown.length).toBeGreaterThan(100);
    expect(printed.endsWith(shown)).toBe(true);
  });
});
