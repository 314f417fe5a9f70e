/**
 * Models with no price: cost attribution is incomplete. Pricing lives in src/lib/cost (built
 * concurrently); the lint context receives an `isPriced` predicate from the command layer, and
 * without one this rule does not run.
 */
import { isModelCall, roleOf } from '../definitions.js';
import { FactsMemo, listKey } from '../facts-memo.js';
import { timeKnown } from '../../span.js';
import type { RuleDef, RuleFacts } from '../types.js';

/** Shared facts (facts-memo.ts): the same few models go unpriced. */
const memo = new FactsMemo<RuleFacts['model-unpriced']>();

export const modelUnpriced: RuleDef<'model-unpriced'> = {
  id: 'model-unpriced',
  defaultSeverity: 'warn',
  description: 'LLM and embeddings calls use a model with a known price',
  docs: {
    checks: 'An LLM or embeddings span with token usage names a model (response model, else request model) that matches no entry of the price table (built-in, `--pricing` files). Skipped when no price table is available.',
    why: '`llmtrace cost` never prices an unknown model as $0: its tokens are listed as unpriced, so totals, budgets and regressions under-report.',
    fix: 'Add the model (or an alias or `match` pattern) to a pricing file passed with `--pricing`, or fix a misspelled model id.',
  },
  span({ span, view, ctx }) {
    if (ctx.isPriced === undefined || !isModelCall(view) || view.usage === undefined) return undefined;
    const model = view.responseModel ?? view.requestModel;
    if (model === undefined || ctx.isPriced(view, span.startMs)) return undefined;
    const role = roleOf(view)!;
    // Present only when so: the facts of timed spans keep their shape.
    const facts: RuleFacts['model-unpriced'] = timeKnown(span.startMs) ? { role, model } : { role, model, noStart: true };
    const key = listKey([role, model, facts.noStart ? 'no start' : '']);
    if (key === undefined) return facts;
    return memo.get(key) ?? memo.put(key, facts);
  },
};
