/**
 * The one place where findings become words. Rules return facts; every output format (stylish,
 * json, sarif, github) takes its message text from here, so wording changes in one place and
 * tests assert on rule ids and facts, never on prose.
 */
import type { Finding, SpanRole, TokenProblem, FailureGap } from './types.js';

const ROLE: Record<SpanRole, string> = {
  llm: 'LLM span',
  embeddings: 'embeddings span',
  tool: 'tool span',
  agent: 'agent span',
  workflow: 'workflow span',
  retrieval: 'retrieval span',
};

const TOKEN_PROBLEM: Record<TokenProblem, string> = {
  negative: 'is negative',
  fractional: 'is not a whole number',
  'not-a-number': 'is not a number',
  'too-large': 'is larger than 2^53−1',
  'part-exceeds-whole': 'exceeds',
};

function gapText(gap: FailureGap, errorType: string | undefined): string {
  switch (gap) {
    case 'error-without-type':
      return 'has status ERROR but no error.type';
    case 'type-without-error-status':
      return `has error.type ${JSON.stringify(errorType ?? '')} but its status is not ERROR`;
    case 'exception-without-error-status':
      return 'recorded an exception but its status is not ERROR';
  }
}

function list(keys: readonly string[]): string {
  return keys.join(', ');
}

function short(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}

export function formatMessage(f: Finding): string {
  switch (f.rule) {
    case 'llm-missing-operation':
      return `${ROLE[f.facts.role]} has no ${f.facts.expected} (required)`;
    case 'llm-missing-provider':
      return `${ROLE[f.facts.role]} has no ${f.facts.expected} (${f.facts.level.replace('_', ' ')})`;
    case 'llm-missing-model':
      return `${ROLE[f.facts.role]} has no ${f.facts.expected} (${f.facts.level.replace('_', ' ')}): ${f.facts.pricedByResponse ? 'priced by its response model only' : 'the call cannot be priced'}`;
    case 'llm-missing-usage':
      return `${ROLE[f.facts.role]} has no token usage: ${list(f.facts.expected)} missing`;
    case 'llm-recommended-attributes':
      return `${ROLE[f.facts.role]} lacks recommended ${list(f.facts.missing)}`;
    case 'llm-span-name':
      return `${ROLE[f.facts.role]} should be named ${JSON.stringify(f.facts.expected)} (${f.facts.template}), not ${JSON.stringify(f.facts.actual)}`;
    case 'llm-span-kind':
      return `${ROLE[f.facts.role]} has kind ${f.facts.actual}; expected ${f.facts.expected}`;
    case 'llm-failure-unrecorded':
      return `${ROLE[f.facts.role]} ${gapText(f.facts.gap, f.facts.errorType)}`;
    case 'tool-missing-name':
      return `tool span has no ${f.facts.expected} (required)`;
    case 'tool-without-parent':
      return f.facts.reason === 'root'
        ? 'tool span is a root: it should be a child of the agent or LLM step that called it'
        : `tool span's parent ${f.facts.parentSpanId ?? ''} is missing from the trace`;
    case 'tool-failure-unrecorded':
      return `tool span ${gapText(f.facts.gap, f.facts.errorType)}`;
    case 'root-missing-context': {
      const groups = f.facts.missing.map((g) => `${g} (${list(f.facts.keys[g] ?? [])})`);
      return `root span has no ${groups.join(', ')} context`;
    }
    case 'deprecated-attribute': {
      const d = f.facts;
      if (d.what === 'value') return `${d.key} value ${JSON.stringify(d.value)} is deprecated: use ${JSON.stringify(d.replacement)}`;
      if (d.what === 'event') return `event ${d.event} is deprecated: record ${d.replacement} instead`;
      if (d.replacement === null) return `${d.key} is deprecated and has no replacement attribute: record content with the opt-in gen_ai.input.messages / gen_ai.output.messages`;
      return `${d.key} is deprecated: use ${d.replacement}${d.replacementPresent ? ' (already set: drop the old key)' : ''}`;
    }
    case 'vendor-only-convention':
      return `${ROLE[f.facts.role]} uses only the ${f.facts.convention} convention and no gen_ai.* attributes: add ${list(f.facts.expected)}`;
    case 'genai-required-attributes':
      return `${ROLE[f.facts.role]} lacks required ${list(f.facts.missing)} (${f.facts.definition})`;
    case 'orphan-span':
      return `parent span ${f.facts.parentSpanId} is missing from the trace (flush before exit?)`;
    case 'trace-without-root':
      return `trace has no root span (${f.facts.spans} span${f.facts.spans === 1 ? '' : 's'}, ${f.facts.orphans} orphan${f.facts.orphans === 1 ? '' : 's'}): flush before exit?`;
    case 'duplicate-span-id':
      return `span id is used by ${f.facts.kinds.length} spans of this trace`;
    case 'parent-cycle': {
      const m = f.facts.members;
      return `parent links go round ${m.length} spans (${list(m.slice(0, 6))}${m.length > 6 ? `, +${m.length - 6} more` : ''}): counted as cut above ${m[0]}, the lowest span id`;
    }
    case 'invalid-id':
      return f.facts.problem === 'self-parent'
        ? 'span is its own parent'
        : `span dropped: ${f.facts.field ? `${f.facts.field}: ` : ''}${f.facts.message.replace(/^span skipped: /, '')}`;
    case 'unknown-operation':
      return `gen_ai.operation.name ${JSON.stringify(f.facts.value)} is none of the convention's operations (chat, execute_tool, invoke_agent, …): backends see a plain span`;
    case 'invalid-token-count': {
      const t = f.facts;
      if (t.problem === 'part-exceeds-whole') {
        return `${t.key} (${t.value}) exceeds ${t.whole} (${t.wholeValue}): input must include cached tokens and output reasoning tokens`;
      }
      return `${t.key} = ${t.value} ${TOKEN_PROBLEM[t.problem]}`;
    }
    case 'end-before-start':
      if (f.facts.problem === 'missing-start') return 'span has no start time';
      if (f.facts.problem === 'missing-end') return 'span has no end time';
      return 'span ends before it starts';
    case 'content-captured': {
      const all = [...f.facts.keys, ...f.facts.eventKeys];
      return `span captures prompt/completion content: ${list(all.slice(0, 6))}${all.length > 6 ? `, +${all.length - 6} more` : ''}`;
    }
    case 'model-unpriced':
      return f.facts.noStart
        ? `model ${JSON.stringify(f.facts.model)} has no price for a span without a start time (a price that depends on the date cannot apply): its cost is not attributed`
        : `model ${JSON.stringify(f.facts.model)} has no price: its cost is not attributed`;
    case 'decode-problem':
      return `skipped while reading: ${f.facts.field ? `${f.facts.field}: ` : ''}${f.facts.message}`;
  }
}

/** `agent.research (6cbc4a3f…)`, or the input place for findings without a span. */
export function formatWhere(f: Finding): string {
  if (f.spanId === '') return f.line !== undefined ? `${f.source ?? '?'}:${f.line}` : f.source ?? '?';
  return `${f.spanName || '(unnamed)'} (${short(f.spanId)})`;
}
