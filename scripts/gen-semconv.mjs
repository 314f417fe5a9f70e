#!/usr/bin/env node
/**
 * Generates src/lib/lint/semconv-requirements.ts from the OpenTelemetry GenAI semantic
 * conventions YAML (v1.41.0: registry, spans, deprecated registry), so the linter's requirement
 * levels come from the source and the runtime needs no YAML parser.
 *
 *   node scripts/gen-semconv.mjs [semconv-dir] [out-file]
 *   (defaults: fixtures/shared/semconv/gen-ai-v1.41.0 and src/lib/lint/semconv-requirements.ts)
 *
 * No YAML package is installed, so this file carries a small parser for the subset those
 * files use: block mappings and sequences, `- key: value` items, plain (also multi-line),
 * single- and double-quoted scalars, flow sequences of scalars, `|` / `>` block scalars, and
 * comments. It throws on anything else rather than guessing. Not shipped (scripts/ is not in
 * package.json "files").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// ───────────────────────────── YAML subset parser ─────────────────────────────

/** Splits text into lines with their indentation; tabs are not allowed for indentation in YAML. */
function toLines(text) {
  return text.split(/\r?\n/).map((raw, i) => {
    const indent = raw.length - raw.trimStart().length;
    return { raw, indent, text: raw.trim(), no: i + 1 };
  });
}

const isSkippable = (l) => l.text === '' || l.text.startsWith('#');

/** Removes a trailing ` # comment` from a plain scalar. */
function stripComment(s) {
  const m = /\s#/.exec(s);
  return (m ? s.slice(0, m.index) : s).trimEnd();
}

function parseQuoted(s, where) {
  const q = s[0];
  let out = '';
  let i = 1;
  for (; i < s.length; i++) {
    const c = s[i];
    if (q === "'" && c === "'") {
      if (s[i + 1] === "'") {
        out += "'";
        i++;
        continue;
      }
      break;
    }
    if (q === '"' && c === '\\') {
      const n = s[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      continue;
    }
    if (q === '"' && c === '"') break;
    out += c;
  }
  if (i >= s.length) throw new Error(`${where}: unterminated quoted scalar`);
  const rest = s.slice(i + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) throw new Error(`${where}: text after a quoted scalar: ${rest}`);
  return out;
}

function parseFlowSeq(s, where) {
  const body = stripComment(s);
  if (!body.endsWith(']')) throw new Error(`${where}: unsupported flow sequence ${s}`);
  const inner = body.slice(1, -1);
  const items = [];
  let cur = '';
  let quote = '';
  for (const c of inner) {
    if (quote) {
      cur += c;
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      items.push(cur.trim());
      cur = '';
    } else if (c === '[' || c === '{') {
      throw new Error(`${where}: nested flow collections are not supported`);
    } else cur += c;
  }
  if (cur.trim() !== '') items.push(cur.trim());
  return items.map((it) => (it.startsWith('"') || it.startsWith("'") ? parseQuoted(it, where) : it));
}

class Parser {
  constructor(text, file) {
    this.lines = toLines(text);
    this.file = file;
    this.i = 0;
  }

  where(l) {
    return `${this.file}:${l ? l.no : 'EOF'}`;
  }

  /** The next meaningful line (skipping blanks and comment lines), without consuming it. */
  peek() {
    while (this.i < this.lines.length && isSkippable(this.lines[this.i])) this.i++;
    return this.lines[this.i];
  }

  parseDocument() {
    const first = this.peek();
    if (!first) return null;
    const v = this.parseNode(first.indent);
    const extra = this.peek();
    if (extra) throw new Error(`${this.where(extra)}: unexpected content at indent ${extra.indent}`);
    return v;
  }

  parseNode(indent) {
    const l = this.peek();
    if (!l || l.indent < indent) return null;
    if (l.text === '-' || l.text.startsWith('- ')) return this.parseSeq(l.indent);
    if (keyOf(l.text)) return this.parseMap(l.indent);
    throw new Error(`${this.where(l)}: expected a mapping or a sequence`);
  }

  parseSeq(indent) {
    const out = [];
    for (;;) {
      const l = this.peek();
      if (!l || l.indent !== indent || !(l.text === '-' || l.text.startsWith('- '))) break;
      const rest = l.text === '-' ? '' : l.text.slice(2).trim();
      if (rest === '' || rest.startsWith('#')) {
        this.i++;
        out.push(this.parseNode(indent + 1));
      } else if (keyOf(rest) && !rest.startsWith('"') && !rest.startsWith("'") && !rest.startsWith('[')) {
        // `- key: value`: a mapping whose first key sits after the dash; rewrite the line so
        // the mapping is parsed at the key's column.
        const col = indent + (l.raw.trimStart().length - rest.length);
        this.lines[this.i] = { ...l, indent: col, text: rest };
        out.push(this.parseMap(col));
      } else {
        this.i++;
        out.push(this.parseInlineValue(rest, l, indent));
      }
    }
    return out;
  }

  parseMap(indent) {
    const out = {};
    for (;;) {
      const l = this.peek();
      if (!l || l.indent !== indent) break;
      if (l.text.startsWith('- ')) break;
      const kv = keyOf(l.text);
      if (!kv) throw new Error(`${this.where(l)}: expected "key: value"`);
      if (Object.prototype.hasOwnProperty.call(out, kv.key)) throw new Error(`${this.where(l)}: duplicate key ${kv.key}`);
      this.i++;
      const rest = kv.rest;
      if (rest === '' || rest.startsWith('#')) {
        const next = this.peek();
        if (next && next.indent > indent) out[kv.key] = this.parseNode(next.indent);
        else if (next && next.indent === indent && next.text.startsWith('- ')) out[kv.key] = this.parseSeq(indent);
        else out[kv.key] = null;
      } else {
        out[kv.key] = this.parseInlineValue(rest, l, indent);
      }
    }
    return out;
  }

  /** A value that starts on the current line: block scalar, flow sequence, quoted or plain. */
  parseInlineValue(rest, line, parentIndent) {
    const where = this.where(line);
    if (/^[|>][-+]?(\s+#.*)?$/.test(rest)) return this.parseBlockScalar(rest[0], rest[1], parentIndent);
    if (rest.startsWith('[')) return parseFlowSeq(rest, where);
    if (rest.startsWith('{')) throw new Error(`${where}: flow mappings are not supported`);
    if (rest.startsWith('"') || rest.startsWith("'")) return parseQuoted(rest, where);
    // Plain scalar, possibly continued on more-indented lines (folded with spaces).
    let value = stripComment(rest);
    for (;;) {
      const n = this.lines[this.i];
      if (!n || n.text === '' || n.indent <= parentIndent || n.text.startsWith('#')) break;
      if (keyOf(n.text) || n.text.startsWith('- ')) break;
      value += ` ${stripComment(n.text)}`;
      this.i++;
    }
    return value;
  }

  parseBlockScalar(style, chomp, parentIndent) {
    const body = [];
    let blockIndent;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i];
      if (l.text === '') {
        body.push('');
        this.i++;
        continue;
      }
      if (l.indent <= parentIndent) break;
      blockIndent ??= l.indent;
      if (l.indent < blockIndent) break;
      body.push(l.raw.slice(blockIndent));
      this.i++;
    }
    while (body.length && body[body.length - 1] === '') body.pop();
    let text;
    if (style === '|') text = body.join('\n');
    else {
      // Folded: lines join with a space; blank lines and more-indented lines keep newlines.
      text = '';
      for (let k = 0; k < body.length; k++) {
        const cur = body[k];
        if (k === 0) text = cur;
        else if (cur === '' || body[k - 1] === '' || cur.startsWith(' ') || body[k - 1].startsWith(' ')) text += `\n${cur}`;
        else text += ` ${cur}`;
      }
    }
    return chomp === '-' ? text : `${text}\n`;
  }
}

/** `key: rest` → {key, rest}; keys here are plain words (dots, underscores) or quoted. */
function keyOf(text) {
  const m = /^([A-Za-z0-9_.$-]+|"[^"]*"|'[^']*'):(?:\s+(.*))?$/.exec(text);
  if (!m) return undefined;
  const key = m[1].startsWith('"') || m[1].startsWith("'") ? m[1].slice(1, -1) : m[1];
  return { key, rest: (m[2] ?? '').trim() };
}

export function parseYaml(text, file = '<yaml>') {
  return new Parser(text, file).parseDocument();
}

// ───────────────────────────── semconv → tables ─────────────────────────────

function levelOf(req) {
  if (req === undefined || req === null) return undefined;
  if (typeof req === 'string') return { level: req };
  const [level] = Object.keys(req);
  const condition = String(req[level]).trim();
  return condition ? { level, condition } : { level };
}

const LEVELS = new Set(['required', 'conditionally_required', 'recommended', 'opt_in']);

function oneLine(s) {
  return String(s).replace(/\s+/g, ' ').trim();
}

/** Resolves `extends` chains: the parent's attributes first, a child's `ref` overriding fields. */
function resolveGroups(groups) {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const memo = new Map();
  const resolve = (id, seen = new Set()) => {
    if (memo.has(id)) return memo.get(id);
    if (seen.has(id)) throw new Error(`extends cycle at ${id}`);
    seen.add(id);
    const g = byId.get(id);
    if (!g) throw new Error(`unknown group ${id}`);
    const attrs = new Map();
    if (g.extends) for (const [k, v] of resolve(g.extends, seen)) attrs.set(k, { ...v });
    for (const a of g.attributes ?? []) {
      const key = a.ref ?? a.id;
      const prev = attrs.get(key) ?? { level: 'recommended' }; // the semconv default level
      const lv = levelOf(a.requirement_level);
      if (lv && !LEVELS.has(lv.level)) throw new Error(`${id}: unknown requirement level ${lv.level} for ${key}`);
      attrs.set(key, lv ?? { level: prev.level, ...(prev.condition ? { condition: prev.condition } : {}) });
    }
    memo.set(id, attrs);
    return attrs;
  };
  return resolve;
}

/** `**Span name** SHOULD be `{a} {b}`` from a group's note or brief. */
function nameTemplate(g) {
  const text = `${g.note ?? ''}\n${g.brief ?? ''}`;
  const m = /Span name\*{0,2} SHOULD be `([^`]+)`/.exec(text);
  return m ? m[1] : undefined;
}

export function buildTables(dir) {
  const read = (f) => parseYaml(readFileSync(path.join(dir, f), 'utf8'), f);
  const spans = read('spans.yaml');
  const registry = read('registry.yaml');
  const deprecated = read('deprecated/registry-deprecated.yaml');

  const registryIds = new Set();
  const enums = {};
  for (const g of registry.groups) {
    for (const a of g.attributes ?? []) {
      registryIds.add(a.id);
      if (a.type && typeof a.type === 'object' && Array.isArray(a.type.members)) {
        enums[a.id] = a.type.members.filter((m) => !m.deprecated).map((m) => String(m.value));
      }
    }
  }

  const resolve = resolveGroups(spans.groups);
  const groupById = new Map(spans.groups.map((g) => [g.id, g]));
  /** A span group without its own name template inherits its parent span's (aws.bedrock). */
  const inheritedTemplate = (g) => {
    for (let cur = g; cur; cur = groupById.get(cur.extends)) {
      const t = nameTemplate(cur);
      if (t) return t;
    }
    return undefined;
  };
  const definitions = {};
  for (const g of spans.groups) {
    if (g.type !== 'span') continue;
    const attributes = {};
    for (const [k, v] of resolve(g.id)) {
      // Every gen_ai.* ref must exist in the registry (others come from core registries).
      if (k.startsWith('gen_ai.') && !registryIds.has(k)) throw new Error(`${g.id}: ${k} is not in the GenAI registry`);
      attributes[k] = v.condition ? { level: v.level, condition: oneLine(v.condition) } : { level: v.level };
    }
    definitions[g.id] = { id: g.id, spanKind: g.span_kind, nameTemplate: inheritedTemplate(g), attributes };
  }

  const deprecatedAttributes = {};
  const deprecatedValues = {};
  for (const g of deprecated.groups) {
    for (const a of g.attributes ?? []) {
      if (!a.id || !a.deprecated) continue;
      deprecatedAttributes[a.id] = a.deprecated.renamed_to ?? null;
      const members = a.type && typeof a.type === 'object' ? a.type.members ?? [] : [];
      for (const m of members) {
        if (m.deprecated?.renamed_to) (deprecatedValues[a.id] ??= {})[String(m.value)] = String(m.deprecated.renamed_to);
      }
    }
  }
  // Deprecated members of current enums (e.g. gen_ai.token.type `completion`).
  for (const g of registry.groups) {
    for (const a of g.attributes ?? []) {
      const members = a.type && typeof a.type === 'object' ? a.type.members ?? [] : [];
      for (const m of members) {
        if (m.deprecated?.renamed_to && m.value !== m.deprecated.renamed_to) {
          (deprecatedValues[a.id] ??= {})[String(m.value)] = String(m.deprecated.renamed_to);
        }
      }
    }
  }
  return {
    definitions,
    deprecatedAttributes,
    deprecatedValues,
    wellKnown: { 'gen_ai.operation.name': enums['gen_ai.operation.name'], 'gen_ai.provider.name': enums['gen_ai.provider.name'] },
  };
}

// ───────────────────────────── output ─────────────────────────────

/** JSON with one attribute requirement per line, so diffs after a regeneration stay readable. */
function renderDefinitions(defs) {
  const q = JSON.stringify;
  const out = ['{'];
  for (const d of Object.values(defs)) {
    out.push(`  ${q(d.id)}: {`, `    id: ${q(d.id)},`, `    spanKind: ${q(d.spanKind)},`);
    if (d.nameTemplate) out.push(`    nameTemplate: ${q(d.nameTemplate)},`);
    out.push('    attributes: {');
    for (const [k, v] of Object.entries(d.attributes)) {
      out.push(`      ${q(k)}: { level: ${q(v.level)}${v.condition ? `, condition: ${q(v.condition)}` : ''} },`);
    }
    out.push('    },', '  },');
  }
  out.push('}');
  return out.join('\n');
}

function render(t, sourceLabel) {
  const j = (v) => JSON.stringify(v, null, 2).replace(/"([A-Za-z_$][\w$]*)":/g, '$1:');
  return `/**
 * GENERATED by scripts/gen-semconv.mjs from ${sourceLabel}
 * (spans.yaml, registry.yaml, deprecated/registry-deprecated.yaml). Do not edit by hand.
 * Regenerate when the conventions move:  node scripts/gen-semconv.mjs [semconv-dir]
 *
 * Requirement levels per GenAI span definition, with \`extends\` resolved (a child's \`ref\`
 * overrides its parent's level), the span name templates from the definitions' notes, the
 * deprecated attributes with their replacements, and the well-known enum values.
 */

export type RequirementLevel = 'required' | 'conditionally_required' | 'recommended' | 'opt_in';

export interface AttributeRequirement {
  level: RequirementLevel;
  /** The convention's condition text for conditionally required / conditionally recommended. */
  condition?: string;
}

export interface SpanDefinition {
  id: string;
  spanKind: 'client' | 'internal' | 'server' | 'producer' | 'consumer';
  /** e.g. \`{gen_ai.operation.name} {gen_ai.request.model}\`. */
  nameTemplate?: string;
  attributes: Readonly<Record<string, AttributeRequirement>>;
}

export const SEMCONV_VERSION = '1.41.0';

export const SPAN_DEFINITIONS: Readonly<Record<string, SpanDefinition>> = ${renderDefinitions(t.definitions)};

/** Deprecated attribute → its replacement (null: removed without an attribute replacement). */
export const DEPRECATED_ATTRIBUTES: Readonly<Record<string, string | null>> = ${j(t.deprecatedAttributes)};

/** Attribute → deprecated value → the value that replaces it. */
export const DEPRECATED_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = ${j(t.deprecatedValues)};

/** Well-known values of the open enums the linter reads. */
export const WELL_KNOWN_VALUES: Readonly<Record<string, readonly string[]>> = ${j(t.wellKnown)};
`;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const dir = process.argv[2] ?? 'fixtures/shared/semconv/gen-ai-v1.41.0';
  const out = process.argv[3] ?? 'src/lib/lint/semconv-requirements.ts';
  const tables = buildTables(dir);
  const label = `semconv ${path.basename(path.resolve(dir))}`;
  writeFileSync(out, render(tables, label));
  const n = Object.keys(tables.definitions).length;
  process.stdout.write(`wrote ${out}: ${n} span definitions, ${Object.keys(tables.deprecatedAttributes).length} deprecated attributes\n`);
}
