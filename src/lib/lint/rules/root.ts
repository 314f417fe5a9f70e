/**
 * Root spans carry user, session/conversation and tenant context (rollout checklist: "root spans
 * carry user, session, and org attributes where applicable"). Only roots of traces that contain
 * GenAI spans are judged, so unrelated HTTP or job traces in the same dump stay quiet; that is
 * known only at the end, so the engine records each root's context and this rule reports then.
 */
import type { Span } from '../../span.js';
import type { RootContextKeys, RuleDef } from '../types.js';
import { present } from './util.js';

/** Default groups and keys; `lint.rootContextKeys` in llmtrace.config.json replaces a group ([] turns it off). */
export const DEFAULT_ROOT_CONTEXT_KEYS: Readonly<RootContextKeys> = Object.freeze({
  // Spanora's keys (spanora.*) are read as the same context.
  user: ['user.id', 'enduser.id', 'spanora.user.id'],
  session: ['session.id', 'gen_ai.conversation.id'],
  tenant: ['tenant.id', 'organization.id', 'org.id', 'spanora.org.id'],
});

/** Limits that let one number hold a root's context: 5 bits (key index + 1) per group. */
export const MAX_ROOT_GROUPS = 10;
export const MAX_ROOT_KEYS = 31;

/**
 * Which key of each context group a root span carries, packed in one number (the engine keeps
 * one number per root instead of two objects). The span's own attributes are searched first,
 * then its resource's (a per-tenant deployment may put the tenant there).
 */
export function rootContextCode(span: Span, groups: RootContextKeys): number {
  let code = 0;
  let weight = 1;
  for (const keys of Object.values(groups)) {
    let i = keys.findIndex((k) => present(span.attributes, k));
    if (i < 0) i = keys.findIndex((k) => present(span.resource.attributes, k));
    code += (i + 1) * weight;
    weight *= 32;
  }
  return code;
}

/** The groups a root has (group → the key found) and the ones it lacks; empty groups are off. */
export function decodeRootContext(code: number, groups: RootContextKeys): { present: Record<string, string>; missing: string[] } {
  const present: Record<string, string> = {};
  const missing: string[] = [];
  let rest = code;
  for (const [group, keys] of Object.entries(groups)) {
    const i = (rest % 32) - 1;
    rest = Math.floor(rest / 32);
    if (keys.length === 0) continue;
    if (i < 0) missing.push(group);
    else present[group] = keys[i]!;
  }
  return { present, missing };
}

export const rootMissingContext: RuleDef<'root-missing-context'> = {
  id: 'root-missing-context',
  defaultSeverity: 'warn',
  description: 'root spans of GenAI traces carry user, session and tenant context',
  docs: {
    checks: 'The root span of a trace that contains GenAI spans has none of the configured keys of a context group — by default user (`user.id`, `enduser.id`, `spanora.user.id`), session (`session.id`, `gen_ai.conversation.id`) and tenant (`tenant.id`, `organization.id`, `org.id`, `spanora.org.id`), looked up on the root span and then its resource. Configure with `lint.rootContextKeys`; an empty list turns a group off (e.g. a single-tenant app: `"tenant": []`).',
    why: 'Without it a failed or expensive run cannot be tied to the user, conversation or customer affected, so incidents cannot be prioritized and cost cannot be attributed per customer.',
    fix: 'Set the attributes on the root span when the request starts (e.g. `rootSpan.setAttributes({"user.id": …, "session.id": …, "tenant.id": …})`), or configure the keys your app already uses.',
  },
  trace(t) {
    if (!t.genAi) return [];
    const hits = [];
    for (const r of t.roots) {
      const { present, missing } = decodeRootContext(r.context, t.ctx.rootContextKeys);
      if (missing.length === 0) continue;
      const keys: Record<string, string[]> = {};
      for (const g of missing) keys[g] = t.ctx.rootContextKeys[g] ?? [];
      hits.push({ spanId: r.spanId, spanName: r.name, source: r.source, line: r.line, facts: { missing, keys, present } });
    }
    return hits;
  },
};
