/**
 * Report dimensions (docs/architecture.md "`cost` and `stats` reports", `--by`): how a counted call maps to a group key. `user`,
 * `conversation` and `attr:<key>` are resolved like the feature — on the call span, then its
 * ancestors nearest first, then the resource — because context such as `user.id` usually sits on
 * the root span, not on the model call.
 */
import { SESSION_KEYS } from '../genai/agents.js';
import { timeKnown } from '../span.js';
import { NONE, type AttributedCall } from './attribution.js';

export const DIMENSION_NAMES = [
  'model',
  'model.raw',
  'provider',
  'feature',
  'service',
  'agent',
  'operation',
  'day',
  'hour',
  'trace',
  'user',
  'conversation',
  'session',
] as const;

/** Keys searched for the inherited dimensions, in order. */
const INHERITED_KEYS: Record<string, string[]> = {
  // Coding agents name the user by e-mail or account (Codex: user.account_id, Gemini: user.email).
  user: ['user.id', 'enduser.id', 'user.email', 'user.account_id'],
  conversation: ['gen_ai.conversation.id', 'session.id'],
  // The coding agents' session (genai/agents.ts SESSION_KEYS; Codex calls it conversation.id).
  session: [...SESSION_KEYS],
};

export interface Dimension {
  name: string;
  value(call: AttributedCall): string;
}

export interface DimensionPlan {
  dimensions: Dimension[];
  /** Key lists the Attributor must resolve (by index in AttributedCall.inherited). */
  inherited: string[][];
}

/** Throws an Error (a usage message) for an unknown dimension. */
export function checkDimension(name: string): string {
  if ((DIMENSION_NAMES as readonly string[]).includes(name)) return name;
  if (name.startsWith('attr:') && name.length > 5) return name;
  throw new Error(`--by: unknown dimension ${JSON.stringify(name)} (expected ${DIMENSION_NAMES.join(', ')} or attr:<key>)`);
}

export function planDimensions(names: readonly string[]): DimensionPlan {
  const inherited: string[][] = [];
  const dimensions = names.map((name): Dimension => {
    checkDimension(name);
    const keys = name.startsWith('attr:') ? [name.slice(5)] : INHERITED_KEYS[name];
    if (keys) {
      const i = inherited.length;
      inherited.push(keys);
      return { name, value: (c) => c.inherited[i] ?? NONE };
    }
    return { name, value: simple(name) };
  });
  return { dimensions, inherited };
}

function simple(name: string): (c: AttributedCall) => string {
  switch (name) {
    case 'model':
      return (c) => c.entry ?? c.model;
    case 'model.raw':
      return (c) => c.model;
    case 'provider':
      return (c) => c.provider;
    case 'feature':
      return (c) => c.feature;
    case 'service':
    case 'agent': // a coding agent is its service.name (claude-code, codex_exec, gemini-cli, …)
      return (c) => c.service;
    case 'operation':
      return (c) => c.operation;
    case 'day':
      // No start time: the missing value, never 1970-01-01 (docs/architecture.md "Unset span times").
      return (c) => (timeKnown(c.startMs) ? isoUtc(c.startMs).slice(0, 10) : NONE);
    case 'hour':
      return (c) => (timeKnown(c.startMs) ? `${isoUtc(c.startMs).slice(0, 13)}:00Z` : NONE);
    case 'trace':
      return (c) => c.traceId;
    default:
      throw new Error(`internal: no value for dimension ${name}`);
  }
}

function isoUtc(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? '(invalid time)' : d.toISOString();
}
