/**
 * Which GenAI span definition (from the generated semconv table) a span is checked against,
 * and small readers of requirement levels. The provider-specific definitions (OpenAI, Azure AI
 * Inference, Anthropic, Bedrock) override the generic inference one where they exist, because
 * they change levels: the OpenAI definition makes `gen_ai.request.model` required.
 */
import type { GenAiView } from '../genai/types.js';
import { SpanKind, type Span } from '../span.js';
import { SPAN_DEFINITIONS, type AttributeRequirement, type SpanDefinition } from './semconv-requirements.js';
import type { SpanRole } from './types.js';

const INFERENCE_BY_PROVIDER: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  openai: 'span.openai.inference.client',
  'azure.ai.inference': 'span.azure.ai.inference.client',
  anthropic: 'span.anthropic.inference.client',
  'aws.bedrock': 'span.aws.bedrock.client',
});

function def(id: string): SpanDefinition | undefined {
  return SPAN_DEFINITIONS[id];
}

export function definitionFor(span: Span, view: GenAiView): SpanDefinition | undefined {
  switch (view.kind) {
    case 'llm':
      return def((view.provider && INFERENCE_BY_PROVIDER[view.provider]) || 'span.gen_ai.inference.client');
    case 'embeddings':
      return def('span.gen_ai.embeddings.client');
    case 'tool':
      return def('span.gen_ai.execute_tool.internal');
    case 'retrieval':
      return def('span.gen_ai.retrieval.client');
    case 'workflow':
      return def('span.gen_ai.invoke_workflow.internal');
    case 'agent':
      if (view.operation === 'create_agent') return def('span.gen_ai.create_agent.client');
      return def(span.kind === SpanKind.CLIENT ? 'span.gen_ai.invoke_agent.client' : 'span.gen_ai.invoke_agent.internal');
    default:
      return undefined;
  }
}

export function requirement(d: SpanDefinition | undefined, key: string): AttributeRequirement | undefined {
  return d?.attributes[key];
}

/** The GenAI roles the linter names in its messages (the view's kind, without `other`). */
export function roleOf(view: GenAiView): SpanRole | undefined {
  return view.kind === 'other' ? undefined : view.kind;
}

/** LLM calls and embeddings: the spans that carry a model and token usage. */
export function isModelCall(view: GenAiView): boolean {
  return view.kind === 'llm' || view.kind === 'embeddings';
}

export const SPAN_KIND_NAMES: readonly string[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

export function spanKindName(kind: number): string {
  return SPAN_KIND_NAMES[kind] ?? String(kind);
}
