/** Delivers demo spans: POST as OTLP/JSON to a running `tail`, or append to a store directly. */
import { LlmtraceError } from '../errors.js';
import { otlpJsonTracesLine } from '../otlp/json-write.js';
import { spanStartsOf, type Span } from '../span.js';
import { lockStore } from '../store/lock.js';
import { createStoreWriter } from '../store/writer.js';

export function tracesUrl(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new LlmtraceError(`--endpoint must be a URL such as http://127.0.0.1:4318, got ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LlmtraceError(`--endpoint must be http or https, got ${url.protocol}`);
  // Like OTEL_EXPORTER_OTLP_ENDPOINT: a base URL gets the signal path appended.
  if (!url.pathname.endsWith('/v1/traces')) url.pathname = `${url.pathname.replace(/\/$/, '')}/v1/traces`;
  return url.toString();
}

export async function sendToEndpoint(spans: Span[], endpoint: string, token?: string): Promise<void> {
  const { request } = await import('undici');
  const url = tracesUrl(endpoint);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await request(url, { method: 'POST', headers, body: otlpJsonTracesLine(spans), headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (e) {
    throw new LlmtraceError(`cannot reach ${url}: ${(e as Error).message}`, 'start the listener first: llmtrace tail (or use --store DIR to write straight into a store)');
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new LlmtraceError(`${url} answered ${res.statusCode}: ${text.slice(0, 200)}`, answerHint(res.statusCode, res.headers['content-type']));
}

/** What to do about a refusal: a tail that wants its token, or another server on the port. */
function answerHint(status: number, contentType: string | string[] | undefined): string | undefined {
  if (status === 401) return 'tail runs with --token: pass the same one with --token (or LLMTRACE_TOKEN)';
  if (status === 503) return 'tail is busy or cannot write its store: try again, and look at its terminal';
  // tail answers every other refusal with a google.rpc.Status in JSON; anything else is not tail.
  if (!String(contentType ?? '').includes('json')) return 'something other than llmtrace tail answers there: start tail on a free port and give it with --endpoint, or use --store DIR';
  return undefined;
}

/** Appends the spans as one line, holding the store's lock like `tail` (docs/architecture.md "Store lock"). */
export async function writeToStore(spans: Span[], dir: string, now: Date, warn: (message: string) => void): Promise<void> {
  const lock = await lockStore(dir, {
    unwritableHint: 'choose a writable one with --store DIR',
    inUseHint: 'send the run to that tail instead: llmtrace demo (without --store)',
    warn,
  });
  const store = createStoreWriter(dir, lock);
  try {
    await store.append('traces', otlpJsonTracesLine(spans), now, spanStartsOf(spans));
  } finally {
    await store.close();
  }
}
