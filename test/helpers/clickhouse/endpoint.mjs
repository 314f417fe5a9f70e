/**
 * A test endpoint that speaks the ClickHouse HTTP interface over a chdb session (the real
 * ClickHouse engine, embedded). Run as a child process: chdb allows one data directory per
 * process, so every test file that needs an engine starts its own.
 *
 *   node endpoint.mjs <data-dir> [password]
 *
 * Prints `{"port":N}` on stdout once it listens on 127.0.0.1. What it handles, as a ClickHouse
 * server does (https://clickhouse.com/docs/interfaces/http):
 * - the query in the `query` URL parameter, the body, or both (URL query + body, as for INSERT
 *   data); gzip request bodies (Content-Encoding: gzip);
 * - `param_<name>` parameters (text in the escaped format; an Identifier's verbatim), `database`, `default_format`,
 *   `query_id`; other parameters are settings, applied for that query only;
 * - the user and password from `user`/`password` parameters, X-ClickHouse-User/-Key headers or
 *   Basic auth; a wrong one is `Code: 516 … (AUTHENTICATION_FAILED)` with status 403;
 * - errors as `Code: N. DB::Exception: … (TYPE)` with X-ClickHouse-Exception-Code and the
 *   status ClickHouse gives them; the X-ClickHouse-Query-Id/-Format/-Timezone/-Summary headers;
 * - gzip responses with `enable_http_compression=1` and Accept-Encoding: gzip;
 * - GET /ping.
 * Queries run one at a time (a chdb session runs one stream at a time), results stream out.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createGzip, gunzipSync } from 'node:zlib';
import { Session } from 'chdb';

const [dataDir, password = ''] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: endpoint.mjs <data-dir> [password]\n');
  process.exit(2);
}
const USER = 'default';
const session = new Session(dataDir);

/** Parameters that are not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'session_id', 'session_timeout', 'session_check', 'user', 'password', 'enable_http_compression', 'compress', 'decompress', 'role', 'quota_key']);

/** HTTP statuses ClickHouse answers these exception codes with (others: 500). */
const STATUS = new Map([
  [516, 403], // AUTHENTICATION_FAILED
  [60, 404], // UNKNOWN_TABLE
  [81, 404], // UNKNOWN_DATABASE
  [47, 400], // UNKNOWN_IDENTIFIER
  [62, 400], // SYNTAX_ERROR
  [456, 400], // UNKNOWN_QUERY_PARAMETER
  [457, 400], // BAD_QUERY_PARAMETER
  [164, 403], // READONLY
  [159, 504], // TIMEOUT_EXCEEDED
]);

/** Unescapes a parameter value written in the escaped (TSV) format, as the server reads it. */
function unescapeParam(v) {
  const map = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', 0: '\0', a: '\x07', v: '\v' };
  return v.replace(/\\(.)/gs, (_, c) => map[c] ?? c);
}

let queue = Promise.resolve();
function serial(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

function credentials(req, url) {
  let user = url.searchParams.get('user') ?? req.headers['x-clickhouse-user'];
  let key = url.searchParams.get('password') ?? req.headers['x-clickhouse-key'];
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const text = Buffer.from(auth.slice(6), 'base64').toString();
    const i = text.indexOf(':');
    user ??= text.slice(0, i);
    key ??= text.slice(i + 1);
  }
  return { user: user ?? USER, key: key ?? '' };
}

function fail(res, code, message, queryId) {
  const type = /\(([A-Z0-9_]{3,})\)\s*$/.exec(message)?.[1];
  const text = /^Code: \d+\./.test(message) ? message : `Code: ${code}. DB::Exception: ${message}${type ? '' : ' (UNKNOWN_EXCEPTION)'}`;
  res.writeHead(STATUS.get(code) ?? 500, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': String(code),
    'X-ClickHouse-Query-Id': queryId,
    'X-ClickHouse-Server-Display-Name': 'chdb-endpoint',
  });
  res.end(`${text} (version chdb)\n`);
}

/** chdb's error text is `Query failed: Code: N. DB::Exception: … (TYPE)`. */
function engineError(e) {
  const msg = String(e?.message ?? e).replace(/^Query failed: /, '');
  const m = /Code: (\d+)\./.exec(msg);
  return { code: m ? Number(m[1]) : 1002, message: m ? msg.slice(m.index).trim() : `Code: 1002. DB::Exception: ${msg} (UNKNOWN_EXCEPTION)` };
}

/** A whole result as the one chunk of a stream. */
async function* wholeResult(result) {
  const bytes = result.bytes();
  if (bytes.length) yield { numRows: 0, raw: () => bytes };
}

function hasFormat(sql) {
  return /\bFORMAT\s+[A-Za-z]+\s*;?\s*$/i.test(sql);
}

function resetSettings(names) {
  for (const k of names) {
    try {
      session.query(`SET ${k} = DEFAULT`);
    } catch {
      /* left as set: only this endpoint's later queries see it */
    }
  }
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping' || (url.pathname === '/' && req.method === 'GET' && !url.searchParams.has('query'))) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' });
    res.end('Ok.\n');
    return;
  }
  const queryId = url.searchParams.get('query_id') ?? randomUUID();
  const chunks = [];
  for await (const c of req) chunks.push(c);
  let body = Buffer.concat(chunks);
  if (/gzip/i.test(String(req.headers['content-encoding'] ?? ''))) {
    try {
      body = gunzipSync(body);
    } catch (e) {
      return fail(res, 354, `Code: 354. DB::Exception: inflate failed: ${e.message}. (ZLIB_INFLATE_FAILED)`, queryId);
    }
  }
  const { user, key } = credentials(req, url);
  if (user !== USER || key !== password) {
    return fail(res, 516, `Code: 516. DB::Exception: ${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`, queryId);
  }
  const urlQuery = url.searchParams.get('query');
  const text = body.toString('utf8');
  const sql = urlQuery === null ? text : text === '' ? urlQuery : `${urlQuery}\n${text}`;
  if (sql.trim() === '') return fail(res, 62, 'Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)', queryId);
  const params = {};
  const settings = [];
  // The server reads a typed value in the escaped format, but takes an Identifier's verbatim
  // (ReplaceQueryParameterVisitor): a client that escapes it sends another name.
  const identifiers = new Set([...sql.matchAll(/\{\s*(\w+)\s*:\s*Identifier\s*\}/g)].map((m) => m[1]));
  for (const [k, v] of url.searchParams) {
    if (k.startsWith('param_')) params[k.slice(6)] = identifiers.has(k.slice(6)) ? v : unescapeParam(v);
    else if (!NOT_SETTINGS.has(k)) settings.push([k, v]);
  }
  const format = url.searchParams.get('default_format') ?? 'TabSeparated';
  const gzip = url.searchParams.get('enable_http_compression') === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  await serial(async () => {
    const database = url.searchParams.get('database') ?? 'default';
    try {
      // Any name a server takes (`my-db`, dots, backticks, any script), back-quoted as ClickHouse reads it.
      session.query(`USE \`${database.replace(/[\\`]/g, (c) => `\\${c}`)}\``);
    } catch (e) {
      const { code, message } = engineError(e);
      return fail(res, code, message, queryId);
    }
    // Settings apply to this query only: appended as its SETTINGS clause would need parsing, so
    // they are set on the session and put back afterwards.
    const applied = [];
    try {
      for (const [k, v] of settings) {
        if (!/^[A-Za-z0-9_]+$/.test(k)) throw new Error(`Code: 115. DB::Exception: Unknown setting '${k}'. (UNKNOWN_SETTING)`);
        const literal = /^-?\d+(\.\d+)?$/.test(v) ? v : `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
        session.query(`SET ${k} = ${literal}`);
        applied.push(k);
      }
    } catch (e) {
      resetSettings(applied);
      const { code, message } = engineError(e);
      return fail(res, code, message, queryId);
    }
    let started = false;
    try {
      const fmtOpt = { format: hasFormat(sql) ? undefined : format };
      // chdb streams only SELECT; the rest (DESCRIBE, EXISTS, DDL, INSERT) run whole.
      const stream = /^\s*\(*\s*(SELECT|WITH)\b/i.test(sql)
        ? session.queryStreamBind(sql, params, fmtOpt)
        : wholeResult(await session.queryBindAsync(sql, params, fmtOpt));
      let rows = 0;
      let out;
      // A client that stops reading early closes the connection: the stream is left, so the
      // queue goes on to the next query instead of waiting for a drain that never comes.
      let closeWaiter;
      const closed = new Promise((r) => res.once('close', (closeWaiter = () => r(true))));
      for await (const chunk of stream) {
        if (!started) {
          started = true;
          const fmt = /\bFORMAT\s+([A-Za-z]+)\s*;?\s*$/i.exec(sql)?.[1] ?? format;
          res.writeHead(200, {
            'Content-Type': 'text/plain; charset=UTF-8',
            'X-ClickHouse-Query-Id': queryId,
            'X-ClickHouse-Format': fmt,
            'X-ClickHouse-Timezone': 'UTC',
            'X-ClickHouse-Server-Display-Name': 'chdb-endpoint',
            ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
          });
          out = gzip ? createGzip() : res;
          if (gzip) out.pipe(res);
        }
        rows += chunk.numRows;
        if (!out.write(Buffer.from(chunk.raw())) && (await Promise.race([new Promise((r) => out.once('drain', () => r(false))), closed]))) break;
      }
      res.off('close', closeWaiter);
      if (!started) {
        res.writeHead(200, {
          'Content-Type': 'text/plain; charset=UTF-8',
          'X-ClickHouse-Query-Id': queryId,
          'X-ClickHouse-Format': format,
          'X-ClickHouse-Timezone': 'UTC',
          'X-ClickHouse-Summary': JSON.stringify({ read_rows: '0', read_bytes: '0', written_rows: '0', written_bytes: '0', total_rows_to_read: '0', result_rows: '0', result_bytes: '0' }),
          ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
        });
        if (gzip) {
          out = createGzip();
          out.pipe(res);
        } else out = res;
      }
      void rows;
      out.end();
    } catch (e) {
      const { code, message } = engineError(e);
      // Mid-stream, a server writes the exception into the body; the client sees a broken result.
      if (started) res.destroy(new Error(message));
      else fail(res, code, message, queryId);
    } finally {
      resetSettings(applied);
    }
  });
}

// A ClickHouse server takes URIs up to 1 MiB (http_max_uri_size); node:http's default of 16 KiB
// would refuse the long key lists a query's parameters can carry, as no server does.
const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
  handle(req, res).catch((e) => {
    if (!res.headersSent) fail(res, 1002, String(e?.message ?? e), 'none');
    else res.destroy();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
const stop = () => {
  server.close();
  session.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
