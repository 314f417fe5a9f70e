/**
 * Shared facts: rules report the same facts for many spans (a dump repeats the few
 * instrumentations that wrote it), so the frequent rules hand out one object per distinct value.
 * That spares allocating them, and lets a renderer keep the text of a finding's message and
 * facts per object (render/json.ts) instead of formatting both again for each of millions of
 * findings. Shared objects must never be mutated (nothing does: facts are data). A worker's
 * objects reach the main thread as copies, which the Linter marks shared again (engine.ts).
 *
 * Bounded: once a memo holds `limit` values, further values get fresh (unshared) objects, so
 * pathological inputs (a unique model name per span) cannot grow it.
 */

const shared = new WeakSet<object>();

/** Whether `facts` came from a memo (is handed out again for equal facts). */
export function isShared(facts: object): boolean {
  return shared.has(facts);
}

/** Marks a facts object built once (a table entry) as shared. */
export function share<F extends object>(facts: F): F {
  shared.add(facts);
  return facts;
}

const DEFAULT_LIMIT = 4096;

export class FactsMemo<F extends object> {
  private readonly byKey = new Map<string, F>();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  get(key: string): F | undefined {
    return this.byKey.get(key);
  }

  /** Remembers `facts` for `key` (while there is room) and returns it. */
  put(key: string, facts: F): F {
    if (this.byKey.size < this.limit) {
      this.byKey.set(key, facts);
      shared.add(facts);
    }
    return facts;
  }
}

/**
 * Small numbers for the strings facts are made of (roles, conventions, definition ids), so a
 * memo key can be a short string of character codes (codesKey): quick to build and to hash.
 * Attribute keys have theirs in KeyInfo.code (keys.ts: 1 up to CODE_LIMIT); these come after.
 */
export const CODE_LIMIT = 20_000;
const SMALL_LIMIT = 4096;
const small = new Map<string, number>();

/** The code of a (constant) string, or -1 once SMALL_LIMIT strings have one. */
export function codeOf(s: string): number {
  let code = small.get(s);
  if (code === undefined) {
    if (small.size >= SMALL_LIMIT) return -1;
    code = CODE_LIMIT + small.size;
    small.set(s, code);
  }
  return code;
}

/**
 * Codes as a memo key (each below CODE_LIMIT + SMALL_LIMIT: no surrogates); undefined when one
 * is -1 (a string without a code: such facts are not shared).
 */
export function codesKey(codes: readonly number[]): string | undefined {
  for (let i = 0; i < codes.length; i++) if (codes[i]! < 0) return undefined;
  return String.fromCharCode(...codes);
}

/**
 * A list of strings as (part of) a memo key: joined with NUL; undefined when an item holds a
 * NUL itself (two different lists could then join alike: such facts are not shared).
 */
export function listKey(list: readonly string[]): string | undefined {
  for (let i = 0; i < list.length; i++) if (list[i]!.includes('\0')) return undefined;
  return list.join('\0');
}
