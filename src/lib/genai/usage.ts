import type { GenAiView, Usage } from './types.js';

export type { Usage } from './types.js';

export function emptyUsage(): Usage {
  return { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
}

/** A new Usage, the field-wise sum of `a` and `b`. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheRead: a.cacheRead + b.cacheRead,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    reasoning: a.reasoning + b.reasoning,
  };
}

/** input + output: cached tokens are inside input and reasoning inside output already. */
export function totalTokens(u: Usage): number {
  return u.input + u.output;
}

/** The span carried token counts (a count of zero still counts as carrying usage). */
export function hasUsage(view: GenAiView): view is GenAiView & { usage: Usage } {
  return view.usage !== undefined;
}
