/**
 * Reads one `--pricing` source: a file, or an http(s) URL fetched with undici and cached in the
 * store (`<store>/pricing-cache/<hash>.json`) so CI without network still prices with the last
 * good copy (with a warning). Only a copy that parsed as a pricing file is cached.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LlmtraceError } from '../errors.js';
import { parsePricingDocument } from './pricing-file.js';
import type { PriceEntry } from './types.js';

export interface SourceOptions {
  storeDir: string;
  warn: (message: string) => void;
  fetchTimeoutMs?: number;
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export function pricingCachePath(storeDir: string, url: string): string {
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 16);
  return path.join(storeDir, 'pricing-cache', `${hash}.json`);
}

export async function readPricingSource(source: string, opts: SourceOptions): Promise<PriceEntry[]> {
  return isUrl(source) ? readUrl(source, opts) : parseText(await readPricingFile(source), source);
}

async function readPricingFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new LlmtraceError(`${file}: cannot read pricing file: ${why}`, undefined, 2);
  }
}

function parseText(text: string, label: string): PriceEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new LlmtraceError(`${label}: invalid JSON in pricing file: ${(e as Error).message}`, undefined, 2);
  }
  return parsePricingDocument(doc, label);
}

async function readUrl(url: string, opts: SourceOptions): Promise<PriceEntry[]> {
  const cache = pricingCachePath(opts.storeDir, url);
  let failure: string;
  try {
    const text = await download(url, opts.fetchTimeoutMs ?? 15_000);
    const entries = parseText(text, url); // a malformed download is an error, not cached
    await writeCache(opts.storeDir, cache, text);
    return entries;
  } catch (e) {
    if (e instanceof LlmtraceError) throw e;
    failure = (e as Error).message;
  }
  let text: string;
  try {
    text = await readFile(cache, 'utf8');
  } catch {
    throw new LlmtraceError(`${url}: cannot fetch pricing (${failure}) and there is no cached copy`, `a copy is cached in ${path.dirname(cache)} after the first successful fetch`, 2);
  }
  const when = (await stat(cache)).mtime.toISOString();
  opts.warn(`cannot fetch ${url} (${failure}); using the copy cached on ${when}`);
  return parseText(text, `${url} (cached)`);
}

async function download(url: string, timeoutMs: number): Promise<string> {
  // undici's request, the one HTTP client (docs/architecture.md "One HTTP client"), loaded only
  // when a URL is given. Redirects are followed, as a browser or curl -L would (GitHub "raw" links redirect).
  const { Agent, interceptors, request } = await import('undici');
  const agent = new Agent();
  try {
    const res = await request(url, {
      dispatcher: agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS })),
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump();
      throw new Error(`HTTP ${res.statusCode}`);
    }
    return await res.body.text();
  } finally {
    await agent.close();
  }
}

const MAX_REDIRECTIONS = 5;

async function writeCache(storeDir: string, file: string, text: string): Promise<void> {
  let fresh = false;
  try {
    await access(storeDir);
  } catch {
    fresh = true;
  }
  await mkdir(path.dirname(file), { recursive: true });
  // A store created here is never committed, like one created by `tail`.
  if (fresh) await writeFile(path.join(storeDir, '.gitignore'), '*\n');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
