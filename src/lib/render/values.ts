/** Short human text for attribute values (for --attrs and the live view). */
import { KvList, type AttrValue } from '../span.js';

export function formatAttrValue(v: AttrValue, max = 200): string {
  const s = raw(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function raw(v: AttrValue): string {
  if (v === null) return '(empty)';
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
    case 'number':
    case 'boolean':
      return String(v);
  }
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof KvList) return `{${v.entries.map(([k, x]) => `${k}: ${raw(x)}`).join(', ')}}`;
  return `[${v.map(raw).join(', ')}]`;
}
