/**
 * Shared facts: rules report the same facts for many spans (a dump repeats the few
 * instrumentations that wrote it), so the frequent rules hand out one object per distinct value.
 * That spares allocating them, and lets a renderer keep the text of a finding's message and
 * facts per object (render/finding-text.ts) instead of formatting both again for each of
 * millions of findings. Shared objects must never be mutated (nothing does: facts are data).
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
 * A list of strings as (part of) a memo key: joined with NUL; undefined when an item holds a
 * NUL itself (two different lists could then join alike: such facts are not shared).
 */
export function listKey(list: readonly string[]): string | undefined {
  for (let i = 0; i < list.length; i++) if (list[i]!.includes('\0')) return undefined;
  return list.join('\0');
}
