// A stand-in for Docent's HTTP API, for looking at the web UI while the real
// server is being built (`tsx test/e2e/support/mock-docent.ts`). The browser
// tests run against the real server, not this.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { HTML_CSP } from '../../../src/http/routes/web.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIST = path.join(ROOT, 'web', 'dist');
const KB = path.join(ROOT, 'samples', 'knowledge_base');
const TOKEN = 'secret';

interface Node {
  name: string;
  path: string;
  type: 'dir' | 'file';
  size: number;
  children?: Node[];
}

function tree(dir: string, rel = ''): Node {
  const children: Node[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const relPath = rel ? `${rel}/${name}` : name;
    if (statSync(full).isDirectory()) children.push(tree(full, relPath));
    else children.push({ name, path: relPath, type: 'file', size: statSync(full).size });
  }
  return {
    name: path.basename(dir),
    path: rel,
    type: 'dir',
    size: children.reduce((s, c) => s + c.size, 0),
    children,
  };
}

const sessions = new Map<
  string,
  { title: string; turns: number; at: number; messages: { role: string; content: string }[] }
>();
let busy = 0;
let turns = 0;

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sse(res: http.ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return (event: unknown) => res.write(`data: ${JSON.stringify(event)}\n\n`);
}

const ANSWER = `Employees receive **15 days** of paid annual leave per year, rising to 20 days after five years.

- Requests go through the HR portal at least two weeks ahead.
- Unused days carry over up to 5 days.

Example: \`<img src=x onerror=alert(1)>\` is shown as text, and <img src=x onerror="window.__pwned=1"> is stripped.

**Reference Source**:
- hr/leave_policy.md:1-12
- finance/差旅标准.md:3-9`;

async function stream(url: URL, res: http.ServerResponse) {
  const message = url.searchParams.get('message') ?? '';
  if (message.includes('busy'))
    return json(res, 503, { error: { code: 'POOL_TIMEOUT', message: 'busy' } }, { 'retry-after': '3' });
  let id = url.searchParams.get('session_id');
  const isNew = !id || !sessions.has(id);
  if (!id || !sessions.has(id)) {
    id = randomUUID();
    sessions.set(id, { title: message.slice(0, 40), turns: 0, at: Date.now() / 1000, messages: [] });
  }
  const record = sessions.get(id)!;
  const send = sse(res);
  busy++;
  send({
    type: 'session',
    session_id: id,
    is_new: isNew,
    ...(message.includes('resume') ? { resumed: false, reason: 'transcript missing' } : {}),
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await sleep(300);
  send({ type: 'tool_use', id: 't1', tool: 'Grep', input: { pattern: 'annual leave' } });
  await sleep(300);
  send({ type: 'tool_use', id: 't2', tool: 'Read', input: { file_path: 'hr/leave_policy.md' } });
  for (const chunk of ANSWER.match(/[\s\S]{1,40}/g) ?? []) {
    await sleep(40);
    send({ type: 'message', content: chunk });
  }
  send({ type: 'done', duration_ms: 1800 });
  busy--;
  turns++;
  record.turns++;
  record.messages.push({ role: 'user', content: message }, { role: 'assistant', content: ANSWER });
  res.end();
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const p = url.pathname;
  const admin = req.headers.authorization === `Bearer ${TOKEN}`;
  if (p === '/' || p === '/admin') {
    res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': HTML_CSP });
    return res.end(readFileSync(path.join(DIST, p === '/' ? 'index.html' : 'admin.html')));
  }
  if (p.startsWith('/assets/')) {
    const file = path.join(DIST, p);
    const type = file.endsWith('.js')
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type });
    return res.end(readFileSync(file));
  }
  if (p === '/api/user/query' || p === '/api/query/stream') return stream(url, res);
  if (p === '/api/sessions') {
    return json(res, 200, {
      sessions: [...sessions].map(([session_id, s]) => ({
        session_id,
        title: s.title,
        created_at: s.at,
        last_active: s.at,
        turns: s.turns,
      })),
    });
  }
  const m = p.match(/^\/api\/sessions\/([^/]+)\/messages$/);
  if (m) return json(res, 200, { session_id: m[1], messages: sessions.get(m[1])?.messages ?? [] });
  if (p === '/api/kb/file') {
    const text = readFileSync(path.join(KB, url.searchParams.get('path') ?? ''), 'utf8');
    const lines = text.split('\n');
    const start = Number(url.searchParams.get('start_line') ?? 1);
    const end = Math.min(lines.length, Number(url.searchParams.get('end_line') ?? lines.length));
    return json(res, 200, {
      path: url.searchParams.get('path'),
      content: lines.slice(start - 1, end).join('\n'),
      start_line: start,
      end_line: end,
      total_lines: lines.length,
    });
  }
  if (p === '/api/feedback') return json(res, 200, { status: 'success', action: 'faq_added', message: 'ok' });
  if (!admin) return json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'Admin token required' } });
  if (p === '/api/admin/check') return json(res, 200, { ok: true });
  if (p === '/api/kb/tree') return json(res, 200, tree(KB));
  if (p === '/api/kb/faq')
    return json(res, 200, {
      entries: [{ question: 'How many days of annual leave?', answer: '15 days, 20 after five years.', usage: 4 }],
    });
  if (p === '/api/kb/badcases')
    return json(res, 200, {
      entries: [
        { date: '2026-11-20', question: 'Parking?', answer: 'No info', feedback: 'missing', source: 'employee' },
      ],
    });
  if (p === '/api/kb/delete')
    return json(res, 200, { token: 'tok', paths: ['hr/leave_policy.md', 'contents_overview/leave_policy.md'] });
  if (p === '/api/kb/delete/confirm') return json(res, 200, { deleted: ['hr/leave_policy.md'] });
  if (p === '/api/upload') {
    req.resume();
    req.on('end', () =>
      json(res, 200, {
        status: 'success',
        files: [{ original_name: 'x', temp_path: randomUUID(), size: 1, content_type: 'x' }],
      }),
    );
    return;
  }
  if (p === '/api/kb/ingest') {
    const send = sse(res);
    for (const stage of ['converting', 'checking', 'placing', 'indexing']) {
      send({ type: 'progress', index: 0, total: 2, name: 'a', stage, message: `${stage}…` });
      await new Promise((r) => setTimeout(r, 300));
    }
    send({
      type: 'result',
      results: [
        { name: 'a', status: 'added', path: 'hr/new-policy.md' },
        {
          name: 'b',
          status: 'conflict',
          reason: 'The figures differ from an existing document.',
          conflicts: [
            {
              kind: 'figures',
              existingPath: 'hr/leave_policy.md',
              existingLines: '4-6',
              existingText: 'Annual leave: 15 days.',
              incomingText: 'Annual leave: 18 days.',
            },
          ],
        },
      ],
    });
    send({ type: 'done' });
    return res.end();
  }
  if (p === '/api/pool/stats') {
    const hist = { count: turns, sum: turns * 35, p50: 20, p95: 80, p99: 120, buckets: [] };
    const mk = (name: string, max: number, b: number) => ({
      name,
      maxWorkers: max,
      workers: { starting: 0, spare: 1, idle: Math.max(0, max - b - 1), busy: b, closing: 0, total: max },
      waiting: Math.max(0, busy - max),
      sessionQueues: { sessions: 0, queuedTurns: 0 },
      draining: false,
      totals: { turns, warmHits: Math.floor(turns * 0.7), spareHits: 0, coldStarts: 0, timeouts: 0 },
      acquireWaitMs: hist,
      startTimeMs: hist,
    });
    return json(res, 200, { pools: { employee: mk('employee', 3, Math.min(3, busy)), admin: mk('admin', 2, 0) } });
  }
  json(res, 404, { error: { code: 'NOT_FOUND', message: 'Not found' } });
});

server.listen(Number(process.env.PORT ?? 8765), '127.0.0.1', () => console.log('mock docent on', server.address()));
