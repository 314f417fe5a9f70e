/**
 * Model id → price entry, exactly as docs/architecture.md "Pricing" says: the exact key, then aliases, then
 * `match` patterns, then the same again on the normalized id. Never fuzzy: normalization only
 * removes provider prefixes and version suffixes, so `gpt-4o-mini` can never become `gpt-4o`.
 *
 * The normalized id is also compared with the normalized keys and aliases, so a LiteLLM file
 * keyed `claude-sonnet-4-20250514` prices a Bedrock `us.anthropic.claude-sonnet-4-20250514-v1:0`.
 * Two keys that normalize alike (`gpt-4o-2024-05-13`, `gpt-4o-2024-08-06`) must agree on price,
 * or a key that is already in normal form must exist; otherwise the normalized id is left unpriced.
 */
import type { PriceEntry } from './types.js';

/** Bedrock cross-region inference prefixes (`us.anthropic.…`, `global.anthropic.…`). */
const REGION_RE = /^(?:us|eu|apac|ap|us-gov|global|jp|au|ca)\./;
/** Bedrock model vendors (`anthropic.claude-…`, `amazon.nova-…`, `cohere.command-…`). */
const VENDOR_RE = /^(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|writer|qwen)\./;
/**
 * Version suffixes: Bedrock `-v1:0`, Vertex `@20250514`, dated snapshots, `-latest`, and Claude
 * Code's context-window marker on its metrics and spans (`claude-opus-4-8[1m]`).
 */
const SUFFIX_RES = [/-v\d+:\d+$/, /@[\w.-]+$/, /-\d{4}-\d{2}-\d{2}$/, /-\d{8}$/, /-latest$/, /\[\w+\]$/];

/** Lowercased, provider prefixes and version suffixes removed. */
export function normalizeModelId(id: string): string {
  let s = id.trim().toLowerCase();
  // Route prefixes (`openai/`, `azure/`, `bedrock/`, `vertex_ai/`, `models/`, Vertex resource
  // names `projects/…/publishers/google/models/…`, Bedrock ARNs): the model is the last segment.
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.replace(REGION_RE, '').replace(VENDOR_RE, '');
  for (let changed = true; changed; ) {
    changed = false;
    for (const re of SUFFIX_RES) {
      const next = s.replace(re, '');
      if (next !== s && next !== '') {
        s = next;
        changed = true;
      }
    }
  }
  return s;
}

interface NormHit {
  entry: PriceEntry;
  /** 0: the key or alias is already in normal form; 1: it normalized to this id. */
  rank: 0 | 1;
  layer: number;
  ambiguous: boolean;
}

const CACHE_LIMIT = 10_000;

/**
 * Two `match` patterns of one pricing file that both match a model id: the later entry prices
 * it. Regular expressions cannot be compared when the file is loaded, so this is told per model
 * id, at its first lookup (docs/architecture.md, "Overlapping match patterns").
 */
export type MatchOverlap = (modelId: string, used: PriceEntry, alsoMatching: PriceEntry) => void;

/**
 * Two `match` patterns of one file both matching a model, told on `warn`: by the command's book,
 * and by a view thread's book through the main thread (docs/architecture.md "Overlapping match patterns").
 */
export function tellOverlap(warn: (message: string) => void): MatchOverlap {
  return (model, used, other) =>
    warn(`pricing file ${used.layer}: entries ${JSON.stringify(other.name)} (match ${other.match!.source}) and ${JSON.stringify(used.name)} (match ${used.match!.source}) both match model ${JSON.stringify(model)}; using ${JSON.stringify(used.name)}, the later one`);
}

export class ModelIndex {
  private readonly byKey = new Map<string, PriceEntry>();
  private readonly byAlias = new Map<string, PriceEntry>();
  /** Entries with a `match` pattern and their layer, later layers (and later entries) first. */
  private readonly matchers: { entry: PriceEntry; layer: number }[] = [];
  private readonly byNorm = new Map<string, NormHit>();
  private readonly cache = new Map<string, PriceEntry | null>();

  /** `entries` in layer order; `layerOf` gives each entry's layer number (later overrides). */
  constructor(entries: readonly PriceEntry[], layerOf: (e: PriceEntry) => number, private readonly onOverlap?: MatchOverlap) {
    const ordered = [...entries].sort((a, b) => layerOf(a) - layerOf(b));
    for (const e of ordered) {
      this.byKey.set(e.name, e);
      for (const a of e.aliases) this.byAlias.set(a, e);
      if (e.match) this.matchers.unshift({ entry: e, layer: layerOf(e) });
      for (const k of [e.name, ...e.aliases]) this.addNorm(k, e, layerOf(e));
    }
  }

  private addNorm(key: string, entry: PriceEntry, layer: number): void {
    const n = normalizeModelId(key);
    const rank = n === key.trim().toLowerCase() ? 0 : 1;
    const prev = this.byNorm.get(n);
    if (!prev || rank < prev.rank || (rank === prev.rank && layer > prev.layer)) {
      this.byNorm.set(n, { entry, rank, layer, ambiguous: false });
    } else if (rank === prev.rank && layer === prev.layer && prev.entry !== entry && !samePrices(prev.entry, entry)) {
      prev.ambiguous = true;
    }
  }

  /** The entry pricing `id`, or undefined. Results are cached per id (models are few). */
  lookup(id: string | undefined): PriceEntry | undefined {
    if (id === undefined || id === '') return undefined;
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    // Told once per id: only while its result is cached (past the limit, ids are looked up anew).
    const caching = this.cache.size < CACHE_LIMIT;
    const found = this.resolve(id, caching);
    if (caching) this.cache.set(id, found ?? null);
    return found;
  }

  private resolve(id: string, tell: boolean): PriceEntry | undefined {
    const direct = this.stage(id, tell);
    if (direct) return direct;
    const n = normalizeModelId(id);
    const again = n !== id ? this.stage(n, tell) : undefined;
    if (again) return again;
    const norm = this.byNorm.get(n);
    return norm && !norm.ambiguous ? norm.entry : undefined;
  }

  private stage(id: string, tell: boolean): PriceEntry | undefined {
    const e = this.byKey.get(id) ?? this.byAlias.get(id);
    if (e) return e;
    const i = this.matchers.findIndex((m) => m.entry.match!.test(id));
    if (i < 0) return undefined;
    const used = this.matchers[i]!;
    if (tell && this.onOverlap) {
      // A later file's pattern overriding an earlier file's is layering; within one file it is a mistake.
      const other = this.matchers.slice(i + 1).find((m) => m.layer === used.layer && m.entry.match!.test(id));
      if (other) this.onOverlap(id, used.entry, other.entry);
    }
    return used.entry;
  }
}

function samePrices(a: PriceEntry, b: PriceEntry): boolean {
  return JSON.stringify(a.points) === JSON.stringify(b.points);
}
