/**
 * `clickhouse://[user[:password]@]host[:port]/database[?table=otel_traces&secure=1]`: where the
 * OpenTelemetry Collector's ClickHouse exporter keeps spans (docs/architecture.md, "ClickHouse
 * source"). Read over the HTTP interface: port 8123, or HTTPS on 8443 with `secure=1`. The
 * password may come from LLMTRACE_CLICKHOUSE_PASSWORD instead of the URL (shell history, ps).
 */
import { LlmtraceError } from '../../errors.js';

export interface ClickHouseTarget {
  /** http(s)://host:port: what the client connects to. */
  httpUrl: string;
  username: string;
  password: string;
  database: string;
  table: string;
  secure: boolean;
  /** The URL as given, without its password: for every message. */
  label: string;
}

export const CLICKHOUSE_SCHEME = 'clickhouse://';

/**
 * `clickhouse:` with any number of slashes: a slash too few (`clickhouse:/host/db`) is a typo
 * for a database, told as such, not looked up as a file (whose message would print the password).
 */
export function isClickHouseSource(source: string): boolean {
  return /^clickhouse:/i.test(source);
}

const KNOWN_PARAMS = new Set(['table', 'secure']);

export function parseClickHouseUrl(text: string, env: NodeJS.ProcessEnv = process.env): ClickHouseTarget {
  const bad = (why: string): never => {
    throw new LlmtraceError(`invalid ClickHouse source ${JSON.stringify(redact(text))}: ${why}`, 'clickhouse://[user[:password]@]host[:port]/database[?table=otel_traces&secure=1]');
  };
  if (text.length > 4096) bad('longer than 4096 characters');
  if (text.slice(0, CLICKHOUSE_SCHEME.length).toLowerCase() !== CLICKHOUSE_SCHEME) bad('the scheme must be clickhouse:// (two slashes)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad('not a URL');
  }
  if (url.protocol !== 'clickhouse:') bad('the scheme must be clickhouse://');
  if (url.hostname === '') bad('no host');
  if (url.hash) bad('a #fragment is not allowed');
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) bad(`unknown parameter ${JSON.stringify(key)} (known: table, secure)`);
    // URLSearchParams.get takes the first of repeated values: `secure=1&secure=0` would silently
    // connect one way while the user may have meant the other.
    if (url.searchParams.getAll(key).length > 1) bad(`parameter ${JSON.stringify(key)} is given more than once`);
  }
  const secureText = url.searchParams.get('secure') ?? '0';
  if (!['0', '1', 'true', 'false'].includes(secureText)) bad('secure must be 0 or 1');
  const secure = secureText === '1' || secureText === 'true';
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length !== 1) bad('the path must be exactly one database name: clickhouse://host/otel');
  const database = decode(segments[0]!, bad);
  const table = url.searchParams.get('table') ?? 'otel_traces';
  for (const [what, name] of [['database', database], ['table', table]] as const) {
    const why = notAName(name);
    if (why) bad(`${what} ${JSON.stringify(name)} ${why}`);
  }
  const username = url.username ? decode(url.username, bad) : 'default';
  const password = url.password ? decode(url.password, bad) : (env.LLMTRACE_CLICKHOUSE_PASSWORD ?? '');
  const port = url.port || (secure ? '8443' : '8123');
  const host = url.hostname; // IPv6 stays bracketed
  return {
    httpUrl: `${secure ? 'https' : 'http'}://${host}:${port}`,
    username,
    password,
    database,
    table,
    secure,
    label: redact(text),
  };
}

/**
 * Why `name` cannot name a ClickHouse database or table, or undefined. Any other text can (`my-db`,
 * dots, backticks, quotes, spaces, any script): the SQL binds names as {db:Identifier} parameters
 * or writes them back-quoted (source.ts bindNames), so none needs refusing for safety.
 */
function notAName(name: string): string | undefined {
  if (name === '') return 'is empty';
  // ClickHouse cannot quote it: a back-quoted name ends at a NUL.
  if (name.includes('\0')) return 'holds a NUL character, which no ClickHouse name can';
  return undefined;
}

/** A name as ClickHouse back-quotes it in SQL (backQuote): backslash escapes, nothing else special. */
export function backQuote(name: string): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '`': '\\`', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
  return `\`${name.replace(/[\\`\t\n\r]/g, (c) => escapes[c]!)}\``;
}

/** `db.table` as ClickHouse writes it in messages: a part that is not a plain identifier back-quoted. */
export function qualifiedName(target: Pick<ClickHouseTarget, 'database' | 'table'>): string {
  const quote = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : backQuote(name));
  return `${quote(target.database)}.${quote(target.table)}`;
}

function decode(s: string, bad: (why: string) => never): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return bad('bad %-escape');
  }
}

/**
 * The URL with any password replaced by `***`, safe to print. The password runs from the user's
 * `:` to the last `@`: an unescaped `@`, `/`, `?` or `#` in it (the URL may then not even parse)
 * is hidden too. An `@` later in the URL (none is valid there) hides more than the password.
 */
export function redact(text: string): string {
  return text.replace(/^(clickhouse:\/*[^@:]*):[\s\S]*@/i, '$1:***@');
}
