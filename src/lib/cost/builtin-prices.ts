/**
 * The built-in price table: USD per 1M tokens, standard (on-demand, non-batch) text prices, as
 * published on each provider's pricing page on the `asOf` date of its block. Written in the
 * pricing-file format (docs/architecture.md "Pricing") and read by the same parser as user files, so it
 * obeys the same rules: `cacheRead`/`cacheWrite` default to `input`, `reasoning` to `output`,
 * a tier applies to the whole call above its input threshold, dated lists are chosen by the
 * call's start.
 *
 * Provider-hosted ids (Bedrock `us.anthropic.claude-…-v1:0`, Vertex `claude-…@20250514`,
 * `azure/…`, `models/gemini-…`) need no entries of their own: matching strips those prefixes and
 * version suffixes (./match.ts), and Bedrock, Vertex and Azure list the same per-token prices as
 * the model's maker for these models (regional / data-zone surcharges are not modelled).
 *
 * Not modelled: batch and flex discounts, priority tiers, DeepSeek's former off-peak discount,
 * audio/image token prices, Anthropic's 1-hour cache writes (2× input; 5-minute writes, 1.25×,
 * are used), Gemini context-cache storage per hour.
 *
 * Only prices we are confident of are listed; anything else is reported as unpriced (never $0)
 * and can be added with `--pricing FILE`.
 */
import type { RawModel, RawPricePoint, RawPricingFile } from './types.js';

export const BUILTIN_AS_OF = '2025-11-24';

const OPENAI = 'OpenAI API pricing, platform.openai.com/docs/pricing, as of 2025-11-24';
const ANTHROPIC = 'Anthropic pricing, docs.claude.com/en/docs/about-claude/pricing, as of 2025-11-24 (same on Amazon Bedrock and Google Vertex AI)';
const GOOGLE = 'Gemini API pricing (paid tier), ai.google.dev/gemini-api/docs/pricing, as of 2025-11-24 (same on Vertex AI)';
const MISTRAL = 'Mistral AI pricing, mistral.ai/pricing, as of 2025-10-01';
const COHERE = 'Cohere pricing, cohere.com/pricing, as of 2025-10-01 (Command R/R+ v1 ids on Bedrock at the same price)';
const DEEPSEEK = 'DeepSeek API pricing and news, api-docs.deepseek.com/quick_start/pricing, as of 2025-10-01';
const XAI = 'xAI models and pricing, docs.x.ai/docs/models, as of 2025-10-01';
const AMAZON = 'Amazon Bedrock pricing, aws.amazon.com/bedrock/pricing, as of 2025-10-01';

const openai = (m: Record<string, RawModel>) => tag(m, 'openai', OPENAI);
const anthropic = (m: Record<string, RawModel>) => tag(m, 'anthropic', ANTHROPIC);
const google = (m: Record<string, RawModel>) => tag(m, 'gcp.gemini', GOOGLE);

/** Sets provider and source on every entry (on the first element of a dated list). */
function tag(models: Record<string, RawModel>, provider: string, source: string): Record<string, RawModel> {
  for (const m of Object.values(models)) {
    const head = Array.isArray(m) ? m[0]! : m;
    head.provider ??= provider;
    head.source ??= source;
  }
  return models;
}

/** Anthropic: cache reads 0.1× input, 5-minute cache writes 1.25× input. */
function claude(input: number, output: number, extra: Partial<RawPricePoint> = {}): RawPricePoint {
  return { input, output, cacheRead: round(input * 0.1), cacheWrite: round(input * 1.25), ...extra };
}

function round(n: number): number {
  return Number(n.toPrecision(12));
}

export const BUILTIN_PRICING: RawPricingFile = {
  currency: 'USD',
  asOf: BUILTIN_AS_OF,
  source: 'built-in table (src/lib/cost/builtin-prices.ts)',
  models: {
    ...openai({
      // `gpt-4o` pointed at gpt-4o-2024-05-13 ($5/$15) until 2024-10-02, then at -2024-08-06.
      'gpt-4o': [
        { until: '2024-10-02', input: 5, output: 15 },
        { input: 2.5, output: 10, cacheRead: 1.25, aliases: ['gpt-4o-2024-11-20'] },
      ],
      'gpt-4o-2024-05-13': { input: 5, output: 15 },
      'gpt-4o-2024-08-06': { input: 2.5, output: 10, cacheRead: 1.25 },
      'chatgpt-4o-latest': { input: 5, output: 15 },
      'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075 },
      'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5 },
      'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1 },
      'gpt-4.1-nano': { input: 0.1, output: 0.4, cacheRead: 0.025 },
      'gpt-4.5-preview': { input: 75, output: 150, cacheRead: 37.5 },
      'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, aliases: ['gpt-5-codex'] },
      'gpt-5-chat': { input: 1.25, output: 10, cacheRead: 0.125, aliases: ['gpt-5-chat-latest'] },
      'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025 },
      'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005 },
      'gpt-5-pro': { input: 15, output: 120 },
      'gpt-5.1': { input: 1.25, output: 10, cacheRead: 0.125, aliases: ['gpt-5.1-chat-latest', 'gpt-5.1-codex'] },
      o1: { input: 15, output: 60, cacheRead: 7.5 },
      'o1-preview': { input: 15, output: 60, cacheRead: 7.5 },
      'o1-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
      'o1-pro': { input: 150, output: 600 },
      // o3's price cut of 2025-06-10 (80%): $10/$40 → $2/$8.
      o3: [
        { until: '2025-06-10', input: 10, output: 40, cacheRead: 2.5 },
        { input: 2, output: 8, cacheRead: 0.5 },
      ],
      'o3-pro': { input: 20, output: 80 },
      'o3-mini': { input: 1.1, output: 4.4, cacheRead: 0.55 },
      'o4-mini': { input: 1.1, output: 4.4, cacheRead: 0.275 },
      'gpt-4-turbo': { input: 10, output: 30, aliases: ['gpt-4-turbo-preview', 'gpt-4-1106-preview', 'gpt-4-0125-preview'] },
      'gpt-4': { input: 30, output: 60, aliases: ['gpt-4-0613', 'gpt-4-0314'] },
      'gpt-3.5-turbo': { input: 0.5, output: 1.5, aliases: ['gpt-3.5-turbo-0125', 'gpt-35-turbo', 'gpt-35-turbo-0125'] },
      'text-embedding-3-small': { input: 0.02, output: 0 },
      'text-embedding-3-large': { input: 0.13, output: 0 },
      'text-embedding-ada-002': { input: 0.1, output: 0 },
    }),

    ...anthropic({
      // Claude Code 2.1.197 reports Opus 4.8 calls at $5/$25 (cost_usd of test/fixtures/agents/claude-code).
      'claude-opus-4-8': claude(5, 25),
      'claude-opus-4-5': claude(5, 25, { aliases: ['claude-opus-4.5', 'claude-4.5-opus'] }),
      'claude-opus-4-1': claude(15, 75, { aliases: ['claude-opus-4.1', 'claude-4.1-opus'] }),
      'claude-opus-4': claude(15, 75, { aliases: ['claude-4-opus'] }),
      // Sonnet 4 and 4.5 with more than 200k input tokens (1M context window): $6/$22.50.
      'claude-sonnet-4-5': claude(3, 15, { aliases: ['claude-sonnet-4.5', 'claude-4.5-sonnet'], tiers: [{ above: 200_000, ...ratesClaude(6, 22.5) }] }),
      'claude-sonnet-4': claude(3, 15, { aliases: ['claude-4-sonnet'], tiers: [{ above: 200_000, ...ratesClaude(6, 22.5) }] }),
      'claude-haiku-4-5': claude(1, 5, { aliases: ['claude-haiku-4.5', 'claude-4.5-haiku'] }),
      'claude-3-7-sonnet': claude(3, 15, { aliases: ['claude-3.7-sonnet'] }),
      // Vertex names the October 2024 upgrade `claude-3-5-sonnet-v2@20241022`.
      'claude-3-5-sonnet': claude(3, 15, { aliases: ['claude-3.5-sonnet', 'claude-3-5-sonnet-v2'] }),
      'claude-3-5-haiku': claude(0.8, 4, { aliases: ['claude-3.5-haiku'] }),
      'claude-3-opus': claude(15, 75),
      'claude-3-haiku': { input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3 },
    }),

    ...google({
      'gemini-3-pro-preview': {
        input: 2, output: 12, cacheRead: 0.2,
        tiers: [{ above: 200_000, input: 4, output: 18, cacheRead: 0.4 }],
      },
      'gemini-2.5-pro': {
        input: 1.25, output: 10, cacheRead: 0.125,
        tiers: [{ above: 200_000, input: 2.5, output: 15, cacheRead: 0.25 }],
        aliases: ['gemini-2.5-pro-preview-06-05', 'gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro-preview-03-25'],
      },
      'gemini-2.5-flash': { input: 0.3, output: 2.5, cacheRead: 0.03 },
      'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cacheRead: 0.01 },
      'gemini-2.0-flash': { input: 0.1, output: 0.4, cacheRead: 0.025, aliases: ['gemini-2.0-flash-001'] },
      'gemini-2.0-flash-lite': { input: 0.075, output: 0.3, aliases: ['gemini-2.0-flash-lite-001'] },
      // 1.5 prices were cut on 2024-10-01 (Pro) and 2024-08-12 (Flash); 128k-token tiers.
      'gemini-1.5-pro': [
        { until: '2024-10-01', input: 3.5, output: 10.5, tiers: [{ above: 128_000, input: 7, output: 21 }], aliases: ['gemini-1.5-pro-001', 'gemini-1.5-pro-002'] },
        { input: 1.25, output: 5, cacheRead: 0.3125, tiers: [{ above: 128_000, input: 2.5, output: 10, cacheRead: 0.625 }] },
      ],
      'gemini-1.5-flash': [
        { until: '2024-08-12', input: 0.35, output: 1.05, tiers: [{ above: 128_000, input: 0.7, output: 2.1 }], aliases: ['gemini-1.5-flash-001', 'gemini-1.5-flash-002'] },
        { input: 0.075, output: 0.3, cacheRead: 0.01875, tiers: [{ above: 128_000, input: 0.15, output: 0.6, cacheRead: 0.0375 }] },
      ],
      'gemini-1.5-flash-8b': { input: 0.0375, output: 0.15, cacheRead: 0.01, tiers: [{ above: 128_000, input: 0.075, output: 0.3, cacheRead: 0.02 }] },
    }),

    ...tag({
      'mistral-large': { input: 2, output: 6, aliases: ['mistral-large-2411', 'mistral-large-2407'] },
      'pixtral-large': { input: 2, output: 6, aliases: ['pixtral-large-2411'] },
      // Mistral Medium 3 / 3.1 (`mistral-medium-latest`); the 2023 `mistral-medium-2312` was dearer.
      'mistral-medium': { input: 0.4, output: 2, aliases: ['mistral-medium-2505', 'mistral-medium-2508', 'mistral-medium-3'] },
      'mistral-small': { input: 0.1, output: 0.3, aliases: ['mistral-small-2503', 'mistral-small-2506'] },
      codestral: { input: 0.3, output: 0.9, aliases: ['codestral-2501', 'codestral-2508'] },
      'ministral-8b': { input: 0.1, output: 0.1, aliases: ['ministral-8b-2410'] },
      'ministral-3b': { input: 0.04, output: 0.04, aliases: ['ministral-3b-2410'] },
      'open-mistral-nemo': { input: 0.15, output: 0.15, aliases: ['open-mistral-nemo-2407', 'mistral-nemo'] },
      'mistral-embed': { input: 0.1, output: 0 },
    }, 'mistral_ai', MISTRAL),

    ...tag({
      'command-a': { input: 2.5, output: 10, aliases: ['command-a-03-2025'] },
      'command-r-plus-08-2024': { input: 2.5, output: 10 },
      // `command-r-plus` and `command-r` are aliases of the 2024 spring releases.
      'command-r-plus': { input: 3, output: 15, aliases: ['command-r-plus-04-2024'] },
      'command-r-08-2024': { input: 0.15, output: 0.6 },
      'command-r': { input: 0.5, output: 1.5, aliases: ['command-r-03-2024'] },
      'command-r7b': { input: 0.0375, output: 0.15, aliases: ['command-r7b-12-2024'] },
      'embed-english-v3.0': { input: 0.1, output: 0 },
      'embed-multilingual-v3.0': { input: 0.1, output: 0 },
      'embed-v4.0': { input: 0.12, output: 0 },
    }, 'cohere', COHERE),

    ...tag({
      // DeepSeek changed prices on 2025-09-05 16:00 UTC (V3.1: one price for chat and
      // reasoner) and on 2025-09-29 (V3.2-Exp). cacheRead is the "cache hit" input price.
      'deepseek-chat': [
        { until: '2025-09-05T16:00:00Z', input: 0.27, output: 1.1, cacheRead: 0.07 },
        { since: '2025-09-05T16:00:00Z', until: '2025-09-29', input: 0.56, output: 1.68, cacheRead: 0.07 },
        { since: '2025-09-29', input: 0.28, output: 0.42, cacheRead: 0.028 },
      ],
      'deepseek-reasoner': [
        { until: '2025-09-05T16:00:00Z', input: 0.55, output: 2.19, cacheRead: 0.14 },
        { since: '2025-09-05T16:00:00Z', until: '2025-09-29', input: 0.56, output: 1.68, cacheRead: 0.07 },
        { since: '2025-09-29', input: 0.28, output: 0.42, cacheRead: 0.028 },
      ],
    }, 'deepseek', DEEPSEEK),

    ...tag({
      // Grok 4 bills the whole request at double rates above 128k input tokens.
      'grok-4': { input: 3, output: 15, cacheRead: 0.75, tiers: [{ above: 128_000, input: 6, output: 30, cacheRead: 1.5 }], aliases: ['grok-4-0709'] },
      'grok-4-fast': {
        input: 0.2, output: 0.5, cacheRead: 0.05,
        tiers: [{ above: 128_000, input: 0.4, output: 1, cacheRead: 0.05 }],
        aliases: ['grok-4-fast-reasoning', 'grok-4-fast-non-reasoning'],
      },
      'grok-code-fast-1': { input: 0.2, output: 1.5, cacheRead: 0.02 },
      'grok-3': { input: 3, output: 15, cacheRead: 0.75, aliases: ['grok-3-beta'] },
      'grok-3-mini': { input: 0.3, output: 0.5, cacheRead: 0.075, aliases: ['grok-3-mini-beta'] },
    }, 'x_ai', XAI),

    ...tag({
      // Bedrock ids `amazon.nova-pro-v1:0`, `us.amazon.nova-lite-v1:0` normalize to these keys.
      'nova-pro': { input: 0.8, output: 3.2 },
      'nova-lite': { input: 0.06, output: 0.24 },
      'nova-micro': { input: 0.035, output: 0.14 },
    }, 'aws.bedrock', AMAZON),
  },
};

/** Claude long-context rates with the usual cache multipliers. */
function ratesClaude(input: number, output: number) {
  return { input, output, cacheRead: round(input * 0.1), cacheWrite: round(input * 1.25) };
}
