/**
 * Rules for tool spans (`execute_tool`, OpenInference TOOL, Vercel `ai.toolCall`, …): the
 * rollout checklist's "every tool invocation produces a child span with name and status".
 */
import { GEN_AI } from '../../genai/conventions.js';
import { VENDOR_TOOL_NAME_KEYS } from '../../genai/conventions-langsmith-spanora.js';
import type { RuleDef } from '../types.js';
import { failureGap, present } from './util.js';

export const toolMissingName: RuleDef<'tool-missing-name'> = {
  id: 'tool-missing-name',
  defaultSeverity: 'error',
  description: 'tool spans carry gen_ai.tool.name',
  docs: {
    checks: 'A tool span has no `gen_ai.tool.name` and no vendor key that names the tool (a vendor\'s tool marker with its name key, e.g. `traceloop.entity.name`; LangSmith\'s `langsmith.trace.name` on a tool run; vendor-only spans: no tool name in any key).',
    why: 'The tool name is required by the `execute_tool` span definition; without it a trace shows that "a tool" ran, not which one failed or was slow.',
    fix: 'Set `gen_ai.tool.name` (and name the span `execute_tool {tool name}`).',
  },
  span({ span, view, vendorOnly }) {
    if (view.kind !== 'tool') return undefined;
    // A span made a tool by a vendor's marker (`traceloop.span.kind=tool`, OpenInference TOOL, …)
    // names it in that vendor's key, even when it also carries some gen_ai key (the Traceloop
    // SDK's `withTool` adds `gen_ai.agent.name`): the name classify read from it counts. A span
    // with `gen_ai.operation.name` follows the GenAI convention, which requires the key, or a
    // vendor key that names the tool (LangSmith's run name).
    const a = span.attributes;
    const ok =
      view.toolName !== undefined &&
      (vendorOnly || !present(a, GEN_AI.OPERATION) || present(a, GEN_AI.TOOL_NAME) || VENDOR_TOOL_NAME_KEYS.some((k) => present(a, k)));
    return ok ? undefined : { expected: GEN_AI.TOOL_NAME };
  },
};

export const toolWithoutParent: RuleDef<'tool-without-parent'> = {
  id: 'tool-without-parent',
  defaultSeverity: 'warn',
  description: 'tool spans are children of the agent or LLM step that called them',
  docs: {
    checks: 'A tool span is a root (no parent id), or its parent never arrived in the input (also reported as `orphan-span`).',
    why: 'A tool call outside its agent run cannot be tied to the decision that caused it; it usually means the tool runs outside the active context (a callback, a worker, a lost `context.with`).',
    fix: 'Start the tool span inside the agent\'s active span (`tracer.startActiveSpan`, or pass the context explicitly across async boundaries), and flush before exit.',
  },
  span({ span, view }) {
    return view.kind === 'tool' && span.parentSpanId === '' ? { reason: 'root' } : undefined;
  },
  trace(t) {
    return t.orphans
      .filter((orphan) => orphan.isTool)
      .map((orphan) => ({
        spanId: orphan.spanId,
        spanName: orphan.name,
        source: orphan.source,
        line: orphan.line,
        facts: { reason: 'parent-missing' as const, parentSpanId: orphan.parentSpanId },
      }));
  },
};

export const toolFailureUnrecorded: RuleDef<'tool-failure-unrecorded'> = {
  id: 'tool-failure-unrecorded',
  defaultSeverity: 'warn',
  description: 'failed tool calls set status ERROR and error.type',
  docs: {
    checks: 'A tool span with status ERROR but no `error.type`, with `error.type` but a status other than ERROR, or with an `exception` event but no ERROR status. (A successful tool call may leave the status UNSET, as OpenTelemetry recommends.)',
    why: 'Agents often swallow tool errors and carry on; unless the span says it failed, the trace looks healthy and the failure is invisible to error rates.',
    fix: 'In the tool wrapper\'s catch: `span.recordException(e)`, `span.setStatus({code: SpanStatusCode.ERROR})`, and set `error.type`.',
  },
  span({ span, view, vendorOnly }) {
    if (view.kind !== 'tool') return undefined;
    const gap = failureGap(span, !vendorOnly);
    return gap ? { ...gap, statusCode: span.status.code } : undefined;
  },
};
