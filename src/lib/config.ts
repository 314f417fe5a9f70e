/**
 * `llmtrace.config.json` in the working directory (written by `llmtrace init`): defaults that
 * every command reads. Flags always win over it. A broken file is an error naming the file and
 * the field (exit 2), never silently ignored.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LlmtraceError } from './errors.js';

export const CONFIG_FILE = 'llmtrace.config.json';

/** Far above any hand-written config (init writes ~300 bytes). */
const MAX_CONFIG_BYTES = 1024 * 1024;

export type RuleLevel = 'off' | 'info' | 'warn' | 'error';

export interface LlmtraceConfig {
  /** Local store directory. */
  store?: string;
  /** Attribute keys that name a feature, tried in order (cost --feature-key). */
  featureKeys?: string[];
  /** Pricing files or URLs layered over the built-in table (cost --pricing). */
  pricing?: string[];
  lint?: {
    rules?: Record<string, RuleLevel>;
    rootContextKeys?: Record<string, string[]>;
    maxWarnings?: number;
  };
}

function fail(file: string, field: string, message: string): never {
  throw new LlmtraceError(`${file}: ${field}: ${message}`, `fix or delete ${file} (llmtrace init writes a valid one)`);
}

function stringList(file: string, field: string, v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) fail(file, field, 'expected a list of non-empty strings');
  return v as string[];
}

const LEVELS: readonly string[] = ['off', 'info', 'warn', 'error'];
const TOP_KEYS = ['$schema', 'store', 'featureKeys', 'pricing', 'lint'];
const LINT_KEYS = ['rules', 'rootContextKeys', 'maxWarnings'];

/** A typo (`featurekeys`) must not be ignored silently: unknown keys are errors, as in pricing files. */
function onlyKnownKeys(file: string, where: string, o: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    if (known.includes(key)) continue;
    const like = known.find((k) => k.toLowerCase() === key.toLowerCase().replace(/[-_]/g, ''));
    fail(file, `${where}${key}`, `unknown key${like ? ` (did you mean ${like}?)` : `; known: ${known.filter((k) => k !== '$schema').join(', ')}`}`);
  }
}

export function parseConfig(text: string, file: string): LlmtraceConfig {
  let raw: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects (as sources do, read.ts).
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    fail(file, '(file)', `invalid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, '(file)', 'expected a JSON object');
  const o = raw as Record<string, unknown>;
  onlyKnownKeys(file, '', o, TOP_KEYS);
  const config: LlmtraceConfig = {};
  if (o.store !== undefined) {
    if (typeof o.store !== 'string' || o.store === '') fail(file, 'store', 'expected a directory path');
    config.store = o.store;
  }
  config.featureKeys = stringList(file, 'featureKeys', o.featureKeys);
  config.pricing = stringList(file, 'pricing', o.pricing);
  if (o.lint !== undefined) {
    if (typeof o.lint !== 'object' || o.lint === null || Array.isArray(o.lint)) fail(file, 'lint', 'expected an object');
    const l = o.lint as Record<string, unknown>;
    onlyKnownKeys(file, 'lint.', l, LINT_KEYS);
    const lint: NonNullable<LlmtraceConfig['lint']> = {};
    if (l.rules !== undefined) {
      if (typeof l.rules !== 'object' || l.rules === null || Array.isArray(l.rules)) fail(file, 'lint.rules', 'expected an object of rule → level');
      for (const [rule, level] of Object.entries(l.rules as Record<string, unknown>)) {
        if (typeof level !== 'string' || !LEVELS.includes(level)) fail(file, `lint.rules.${rule}`, `expected one of ${LEVELS.join(', ')}`);
      }
      lint.rules = l.rules as Record<string, RuleLevel>;
    }
    if (l.rootContextKeys !== undefined) {
      if (typeof l.rootContextKeys !== 'object' || l.rootContextKeys === null || Array.isArray(l.rootContextKeys)) {
        fail(file, 'lint.rootContextKeys', 'expected an object of context → list of keys');
      }
      const keys: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(l.rootContextKeys as Record<string, unknown>)) keys[k] = stringList(file, `lint.rootContextKeys.${k}`, v)!;
      lint.rootContextKeys = keys;
    }
    if (l.maxWarnings !== undefined) {
      if (typeof l.maxWarnings !== 'number' || !Number.isSafeInteger(l.maxWarnings) || l.maxWarnings < 0) fail(file, 'lint.maxWarnings', 'expected a whole number ≥ 0');
      lint.maxWarnings = l.maxWarnings;
    }
    config.lint = lint;
  }
  return config;
}

/** The config of `cwd`, or an empty one when there is no file. Paths in it are relative to it. */
export function loadConfig(cwd: string = process.cwd()): LlmtraceConfig {
  const file = path.join(cwd, CONFIG_FILE);
  let text: string;
  try {
    // Looked at before it is read: a link to /dev/zero or a pipe would never end, and a file of
    // hundreds of megabytes is no config (every command reads it before anything else).
    const st = statSync(file);
    if (!st.isFile()) fail(CONFIG_FILE, '(file)', 'not a regular file');
    if (st.size > MAX_CONFIG_BYTES) fail(CONFIG_FILE, '(file)', `${st.size} bytes; a config is at most ${MAX_CONFIG_BYTES} bytes`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof LlmtraceError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LlmtraceError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const config = parseConfig(text, CONFIG_FILE);
  const rel = (p: string) => (/^https?:\/\//.test(p) ? p : path.resolve(cwd, p));
  if (config.store) config.store = rel(config.store);
  if (config.pricing) config.pricing = config.pricing.map(rel);
  // A pricing file that is gone would fail every command naming only itself: name the config too.
  for (const p of config.pricing ?? []) {
    if (!/^https?:\/\//.test(p) && !existsSync(p)) fail(CONFIG_FILE, 'pricing', `${p} does not exist`);
  }
  return config;
}
