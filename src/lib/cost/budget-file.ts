/**
 * `--budget-file <json>`: spending limits in USD for the report period.
 *   { "total": 50, "features": { "research": 5 }, "models": { "gpt-4o": 10 } }
 * Every part is optional. `features` keys are feature names (the `feature` dimension); `models`
 * keys are price entry names as the `model` dimension shows them (raw ids for unpriced models).
 */
import { readFile } from 'node:fs/promises';
import { LlmtraceError } from '../errors.js';
import { describe, isObject } from './validate.js';

export interface BudgetFile {
  label: string;
  total?: number;
  features: Record<string, number>;
  models: Record<string, number>;
}

function bad(label: string, where: string, problem: string): LlmtraceError {
  return new LlmtraceError(
    `${label}: ${where ? `${where}: ` : ''}${problem}`,
    'a budget file looks like {"total": 50, "features": {"research": 5}, "models": {"gpt-4o": 10}} (USD)',
    2,
  );
}

function usd(label: string, where: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw bad(label, where, `expected a non-negative number of USD, got ${describe(v)}`);
  return v;
}

export function parseBudgetFile(doc: unknown, label: string): BudgetFile {
  if (!isObject(doc)) throw bad(label, '', `expected an object, got ${describe(doc)}`);
  const out: BudgetFile = { label, features: Object.create(null) as Record<string, number>, models: Object.create(null) as Record<string, number> };
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'total') out.total = usd(label, 'total', v);
    else if (k === 'features' || k === 'models') {
      if (!isObject(v)) throw bad(label, k, `expected an object of name → USD, got ${describe(v)}`);
      for (const [name, limit] of Object.entries(v)) out[k][name] = usd(label, `${k}[${JSON.stringify(name)}]`, limit);
    } else if (!k.startsWith('$')) throw bad(label, k, 'unknown field (expected total, features, models)');
  }
  return out;
}

export async function readBudgetFile(file: string): Promise<BudgetFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw bad(file, '', `cannot read budget file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(file, '', `invalid JSON: ${(e as Error).message}`);
  }
  return parseBudgetFile(doc, file);
}
