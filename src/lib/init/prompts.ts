/** The interactive side of `init` (@clack/prompts); loaded only in a terminal. */
import { cancel, confirm, intro, isCancel, multiselect, outro, text } from '@clack/prompts';
import { RULES } from '../lint/registry.js';
import type { InitAnswers } from './build-config.js';

const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

export async function askAnswers(
  defaults: InitAnswers,
  opts: { exists: boolean; given: { featureKey?: string[]; pricing?: string[]; relax?: string[]; store?: string } },
): Promise<InitAnswers | 'cancelled' | 'declined'> {
  intro('llmtrace init');
  if (opts.exists) {
    const overwrite = await confirm({ message: 'llmtrace.config.json exists. Overwrite it?', initialValue: false });
    if (isCancel(overwrite)) return stop('cancelled');
    if (!overwrite) return stop('declined');
  }
  const a = { ...defaults };
  if (!opts.given.featureKey) {
    const v = await text({ message: 'Attribute keys that name a feature (tried in order, comma-separated)', initialValue: defaults.featureKeys.join(', ') });
    if (isCancel(v)) return stop('cancelled');
    a.featureKeys = list(v);
  }
  if (!opts.given.pricing) {
    const v = await text({ message: 'Pricing files or URLs over the built-in prices (comma-separated, empty for none)', initialValue: '', placeholder: 'prices.json' });
    if (isCancel(v)) return stop('cancelled');
    a.pricing = list(v ?? '');
  }
  if (!opts.given.relax) {
    const v = await multiselect<string>({
      message: 'Lint rules to relax (space to select; errors become warnings, warnings are turned off)',
      options: RULES.map((r) => ({ value: r.id, label: r.id, hint: `${r.defaultSeverity}: ${r.description}` })),
      required: false,
    });
    if (isCancel(v)) return stop('cancelled');
    a.relax = v;
  }
  if (!opts.given.store) {
    const v = await text({ message: 'Local store directory', initialValue: defaults.store });
    if (isCancel(v)) return stop('cancelled');
    a.store = v.trim() || defaults.store;
  }
  outro('Writing llmtrace.config.json');
  return a;
}

/** Ctrl-C or Esc is `cancelled` (exit 130); a "no" to overwriting is `declined` (exit 0). Said once, here. */
function stop<R extends 'cancelled' | 'declined'>(why: R): R {
  cancel('Nothing written.');
  return why;
}
