#!/usr/bin/env node
/**
 * Writes docs/lint-rules.md and the rule list in README.md from the rule registry (build first:
 * it imports dist/).
 *   npm run build && node scripts/gen-lint-docs.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const { renderRulesMarkdown, renderRulesReadmeSection, README_START, README_END } = await import('../dist/lib/lint/docs.js');
mkdirSync('docs', { recursive: true });
writeFileSync('docs/lint-rules.md', renderRulesMarkdown());
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf(README_START);
const end = readme.indexOf(README_END);
if (start === -1 || end === -1) throw new Error(`README.md lacks the ${README_START} … ${README_END} markers`);
writeFileSync('README.md', readme.slice(0, start) + renderRulesReadmeSection() + readme.slice(end + README_END.length));
process.stdout.write('wrote docs/lint-rules.md and the rule list in README.md\n');
