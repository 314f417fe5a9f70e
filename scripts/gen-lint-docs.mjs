#!/usr/bin/env node
/**
 * Writes docs/lint-rules.md from the rule registry (build first: it imports dist/).
 *   npm run build && node scripts/gen-lint-docs.mjs
 */
import { mkdirSync, writeFileSync } from 'node:fs';

const { renderRulesMarkdown } = await import('../dist/lib/lint/docs.js');
mkdirSync('docs', { recursive: true });
writeFileSync('docs/lint-rules.md', renderRulesMarkdown());
process.stdout.write('wrote docs/lint-rules.md\n');
