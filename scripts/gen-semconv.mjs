#!/usr/bin/env node
/**
 * Generates src/lib/lint/semconv-requirements.ts from the OpenTelemetry GenAI semantic
 * conventions YAML (v1.41.0: registry, spans, deprecated registry), so the linter's requirement
 * levels come from the source and the runtime needs no YAML parser.
 *
 *   node scripts/gen-semconv.mjs [semconv-dir] [out-file]
 *   (defaults: fixtures/shared/semconv/gen-ai-v1.41.0 and src/lib/lint/semconv-requirements.ts)
 *
 * The YAML is read with the `yaml` package (a devDependency: scripts/ is not in package.json
 * "files"), strictly: a duplicate key or any syntax error stops it, naming the file and line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** One YAML document; an error names the file, line and column. */
export function parseYaml(text, file = '<yaml>') {
  try {
    return parse(text, { uniqueKeys: true, prettyErrors: true, strict: true });
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
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
