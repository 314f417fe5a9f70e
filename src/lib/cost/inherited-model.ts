/**
 * The inherited model (docs/architecture.md, "A call's model from its ancestors"): a call that
 * names no model of its own is priced as the model its nearest ancestor names, as `cost` and
 * `tail` both do (cost/run.ts, live/view.ts). Codex's `handle_responses` spans carry the usage,
 * and the plain `model` attribute is on the turn spans above them.
 */
import type { GenAiView, Usage } from '../genai/types.js';

/**
 * Only that key: a GenAI model span's model stays its own (an agent span with usage under an
 * LLM span is not that LLM's call). Looked up on the span, its ancestors nearest first, then the
 * resource, like the other inherited dimensions (cost/dimensions.ts).
 */
export const INHERITED_MODEL_KEYS: readonly string[] = ['model'];

/** A call names no model of its own: it takes the inherited one. */
export function namesNoModel(view: Pick<GenAiView, 'responseModel' | 'requestModel'>): boolean {
  return view.responseModel === undefined && view.requestModel === undefined;
}

/** What such a call is priced as: its usage under the model its ancestor names. */
export function inheritedModelView(usage: Usage | undefined, model: string): GenAiView {
  return { requestModel: model, usage } as GenAiView;
}
