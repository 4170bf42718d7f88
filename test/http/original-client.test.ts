// The original web client's exact request sequence (docs/compatibility.md and ../shared/EFKA-API.md,
// "The original client"), replayed on a real socket against the real offline
// stack: what a page load, a question, a follow-up, a reload, "Clear Session"
// and an admin upload send, with the headers (and the absence of cookies and
// tokens) the client's fetch and EventSource really produce.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { marked } from 'marked';
import { ADMIN } from '../support/http-helpers.ts';
import { multipart } from '../support/http-multipart.ts';
import { type OfflineStack, startOfflineStack } from '../support/http-offline.ts';
import { requestJson, SseClient } from '../support/http-sse-client.ts';

const CLIENT_ORIGIN = 'http://client.example.test:5173';

/** What the client's browser sends along: a cookie jar (same origin) or nothing (cross-origin EventSource). */
interface Browser {
  readonly headers: () => Record<string, string>;
  readonly remember: (setCookie: string | string[] | undefined) => void;
}

function browserWithCookies(): Browser {
  const jar = new Map<string, string>();
  return {
    headers: (): Record<string, string> =>
      jar.size > 0 ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {},
    remember(setCookie) {
      for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
      }
    },
  };
}

function crossOriginBrowser(): Browser {
  return { headers: () => ({ origin: CLIENT_ORIGIN }), remember: () => {} };
}

/** Step 1 of every page load: POST /api/session/create with no body and no content type. */
async function pageLoad(stack: OfflineStack, browser: Browser): Promise<string> {
  const res = await requestJson(`${stack.base}/api/session/create`, { method: 'POST', headers: browser.headers() });
  assert.equal(res.statusCode, 200, JSON.stringify(res.json));
  browser.remember(res.headers['set-cookie']);
  const body = res.json as { session_id: string; status: string; created_at: number };
  assert.equal(body.status, 'created');
  return body.session_id;
}

interface Answer {
  readonly sessionId: string;
  readonly isNew: boolean;
  readonly text: string;
}

async function ask(
  stack: OfflineStack,
  browser: Browser,
  route: '/api/user/query' | '/api/query/stream',
  ids: { sessionId: string; userId: string },
  message: string,
): Promise<Answer> {
  const query = new URLSearchParams({ session_id: ids.sessionId, message, user_id: ids.userId });
  const sse = await SseClient.open(`${stack.base}${route}?${query}`, browser.headers());
  await sse.ended;
  assert.equal(sse.statusCode, 200, sse.body);
  browser.remember(sse.headers['set-cookie']);
  const first = sse.events[0]!;
  assert.equal(first.type, 'session');
  assert.equal(sse.events.at(-1)?.type, 'done', sse.body);
  const text = sse.events
    .filter((e) => e.type === 'message')
    .map((e) => e.content)
    .join('');
  return { sessionId: first.session_id as string, isNew: first.is_new as boolean, text };
}

/** The client shows the feedback buttons only for answers that match both of its patterns (docs/compatibility.md). */
function assertFeedbackButtonsShow(text: string): void {
  assert.match(text, /##\s*答案/, text);
  assert.match(text, /##\s*(参考)?来源|来源[:：]/, text);
  // What the client renders (its marked, into innerHTML): an English answer shows no Chinese heading.
  if (!/[\u4e00-\u9fff]/.test(text.split(/<!--/)[0]!)) {
    const visible = String(marked.parse(text)).replace(/<!--[\s\S]*?-->/g, '');
    assert.doesNotMatch(visible, /答案|来源/, visible);
  }
}

async function employeeSession(stack: OfflineStack, browser: Browser): Promise<void> {
  const userId = randomUUID();
  // First visit: question, follow-up.
  let sessionId = await pageLoad(stack, browser);
  const first = await ask(stack, browser, '/api/user/query', { sessionId, userId }, '年假有多少天？');
  assert.equal(first.isNew, true);
  assertFeedbackButtonsShow(first.text);
  const followUp = await ask(stack, browser, '/api/user/query', { sessionId, userId }, '病假呢？');
  assert.equal(followUp.isNew, false);
  assert.equal(followUp.sessionId, first.sessionId);

  // Reload: a new session_id from step 1, the same user_id; the conversation goes on.
  sessionId = await pageLoad(stack, browser);
  assert.notEqual(sessionId, first.sessionId);
  const afterReload = await ask(stack, browser, '/api/user/query', { sessionId, userId }, '加班怎么算？');
  assert.equal(afterReload.isNew, false);
  assert.equal(afterReload.sessionId, first.sessionId);

  // "Clear Session": the next question starts a new conversation.
  const cleared = await requestJson(`${stack.base}/api/clear_context`, {
    method: 'POST',
    headers: browser.headers(),
    body: { user_id: userId },
  });
  assert.equal(cleared.statusCode, 200, JSON.stringify(cleared.json));
  const clearedBody = cleared.json as { success: boolean; archived: number };
  assert.equal(clearedBody.success, true);
  assert.equal(clearedBody.archived, 1);
  const fresh = await ask(stack, browser, '/api/user/query', { sessionId, userId }, '年假有多少天？');
  assert.equal(fresh.isNew, true);
  assert.notEqual(fresh.sessionId, first.sessionId);
  assertFeedbackButtonsShow(fresh.text);
}

describe('the original user client', () => {
  test('AUTH_MODE=open, served from Docent: question, follow-up, reload resumes, Clear Session starts anew', async () => {
    const stack = await startOfflineStack({ AUTH_MODE: 'open' });
    try {
      await employeeSession(stack, browserWithCookies());
    } finally {
      await stack.close();
    }
  });

  test('AUTH_MODE=open, served from another origin (EventSource sends no cookies): the same', async () => {
    const stack = await startOfflineStack({ AUTH_MODE: 'open', ALLOWED_ORIGINS: CLIENT_ORIGIN });
    try {
      await employeeSession(stack, crossOriginBrowser());
    } finally {
      await stack.close();
    }
  });

  test('cookie mode, served from Docent (the browser keeps the identity cookie): the same', async () => {
    const stack = await startOfflineStack();
    try {
      await employeeSession(stack, browserWithCookies());
    } finally {
      await stack.close();
    }
  });
});

/**
 * What the admin client writes in its user's language: its first version's fixed strings, and the
 * translated version's English and Chinese (its i18n files: upload.uploadedFiles, upload.filePath,
 * upload.addToKb, feedback.satisfied).
 */
const CLIENT_WORDING = {
  first: {
    marker: 'UPLOADED_FILES',
    path: 'path',
    addToKb: 'Please add these files to the knowledge base.',
    satisfied: '满意',
    question: '年假有多少天？',
  },
  en: {
    marker: 'Uploaded Files',
    path: 'Path',
    addToKb: 'Please add the files above to the knowledge base',
    satisfied: "I'm satisfied with this result",
    question: 'How many days of annual leave do I get?',
  },
  'zh-CN': {
    marker: '已上传文件',
    path: '路径',
    addToKb: '请将上面的文件添加到知识库',
    satisfied: '我对结果满意',
    question: '年假有多少天？',
  },
} as const;

type ClientWording = (typeof CLIENT_WORDING)[keyof typeof CLIENT_WORDING];

async function adminSession(stack: OfflineStack, browser: Browser, wording: ClientWording): Promise<void> {
  const userId = randomUUID();
  const sessionId = await pageLoad(stack, browser);
  const { payload, headers } = multipart([
    {
      field: 'files',
      filename: 'parking.md',
      contentType: 'text/markdown',
      content: '# Parking\n\nStaff parking costs 40 EUR per month, reimbursed for on-call engineers.\n',
    },
  ]);
  const upload = await requestJson(`${stack.base}/api/upload`, {
    method: 'POST',
    headers: { ...browser.headers(), ...headers },
    body: payload,
  });
  assert.equal(upload.statusCode, 200, JSON.stringify(upload.json));
  const file = (upload.json as { files: Array<{ original_name: string; temp_path: string }> }).files[0]!;
  const added = await ask(
    stack,
    browser,
    '/api/query/stream',
    { sessionId, userId },
    `[${wording.marker}]\n- ${file.original_name} (${wording.path}: ${file.temp_path})\n\n${wording.addToKb}`,
  );
  assert.match(added.text, /parking/i);
  assert.match(JSON.stringify(await stack.kb.tree()), /parking/, 'the file is in the knowledge base');
  // The admin screen advertises questions about the knowledge base too.
  const answer = await ask(stack, browser, '/api/query/stream', { sessionId, userId }, wording.question);
  assert.equal(answer.isNew, false);
  assertFeedbackButtonsShow(answer.text);
  // "Helpful": the client sends its feedback.satisfied text as the next turn; the answer joins the FAQ.
  const before = (await stack.kb.faq()).length;
  await ask(stack, browser, '/api/query/stream', { sessionId, userId }, wording.satisfied);
  const faq = await stack.kb.faq();
  assert.equal(faq.length, before + 1, JSON.stringify(faq));
  assert.equal(faq.at(-1)?.question, wording.question);
}

describe('the original admin client', () => {
  test('from an address in ADMIN_TRUSTED_NETWORKS, with no token and no cookie: upload, add, ask', async () => {
    const stack = await startOfflineStack({ ADMIN_TRUSTED_NETWORKS: '127.0.0.1/32', ALLOWED_ORIGINS: CLIENT_ORIGIN });
    try {
      await adminSession(stack, crossOriginBrowser(), CLIENT_WORDING.first);
    } finally {
      await stack.close();
    }
  });

  test('signed in on Docent’s origin (admin cookie), with no token: upload, add, ask', async () => {
    const stack = await startOfflineStack();
    try {
      const browser = browserWithCookies();
      const signIn = await requestJson(`${stack.base}/api/admin/session`, { method: 'POST', headers: ADMIN });
      assert.equal(signIn.statusCode, 200, JSON.stringify(signIn.json));
      browser.remember(signIn.headers['set-cookie']);
      await adminSession(stack, browser, CLIENT_WORDING.first);
    } finally {
      await stack.close();
    }
  });

  for (const language of ['en', 'zh-CN'] as const) {
    test(`the translated client in ${language}: its upload message adds the file, its "satisfied" button feeds the FAQ`, async () => {
      const stack = await startOfflineStack({ ADMIN_TRUSTED_NETWORKS: '127.0.0.1/32' });
      try {
        await adminSession(stack, browserWithCookies(), CLIENT_WORDING[language]);
      } finally {
        await stack.close();
      }
    });
  }

  test('without token, cookie or trusted address the admin routes still answer 401', async () => {
    const stack = await startOfflineStack({ ADMIN_TRUSTED_NETWORKS: '10.0.0.0/8' });
    try {
      const res = await requestJson(`${stack.base}/api/query/stream?message=hi`);
      assert.equal(res.statusCode, 401);
    } finally {
      await stack.close();
    }
  });

  test('a forwarded address counts only from a proxy in TRUSTED_PROXIES', async () => {
    const forwarded = { 'x-forwarded-for': '10.1.2.3' };
    const untrusted = await startOfflineStack({ ADMIN_TRUSTED_NETWORKS: '10.0.0.0/8' });
    try {
      const res = await requestJson(`${untrusted.base}/api/admin/check`, { headers: forwarded });
      assert.equal(res.statusCode, 401, 'X-Forwarded-For from a client that is not a proxy is ignored');
    } finally {
      await untrusted.close();
    }
    const behindProxy = await startOfflineStack({ ADMIN_TRUSTED_NETWORKS: '10.0.0.0/8', TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const res = await requestJson(`${behindProxy.base}/api/admin/check`, { headers: forwarded });
      assert.equal(res.statusCode, 200, JSON.stringify(res.json));
      const outside = await requestJson(`${behindProxy.base}/api/admin/check`, {
        headers: { 'x-forwarded-for': '192.0.2.7' },
      });
      assert.equal(outside.statusCode, 401);
    } finally {
      await behindProxy.close();
    }
  });
});
