import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { InputError, KernelError } from '../src/errors.ts';
import {
  KernelClient,
  classify,
  originOf,
  runMany,
  summarize,
  type RequestResult,
} from '../src/kernel/client.ts';
import { freeLoopbackAddress } from '../src/kernel/process.ts';
import { PROFILES } from '../src/kernel/profiles.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A server on 127.0.0.1 for one test; `close` also drops held sockets. */
async function serve(
  handler: Handler,
): Promise<{ address: string; close: () => Promise<void>; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

test('listSkills and cachedSkills: dev/ removed, plain string order', async () => {
  const srv = await serve((req, res) => {
    if (req.url === '/v1/skills')
      json(res, 200, ['dev/sample_py2', 'dev/sample_rs1', 'dev/sample_py10', 'dev/Zeta', 'dev/a']);
    else if (req.url === '/cached_skills') json(res, 200, ['dev/sample_py2', 'dev/sample_py10']);
    else json(res, 404, 'no');
  });
  const client = new KernelClient({ address: srv.address, profile: PROFILES.v1 });
  try {
    // Upper case sorts before lower case, and '1' < '2' whatever follows.
    assert.deepEqual(await client.listSkills(), [
      'Zeta',
      'a',
      'sample_py10',
      'sample_py2',
      'sample_rs1',
    ]);
    assert.deepEqual(await client.cachedSkills(), ['sample_py10', 'sample_py2']);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a failing or malformed listing throws KernelError naming the request', async () => {
  let answer: [number, string] = [500, 'database on fire'];
  const srv = await serve((_req, res) => {
    res.writeHead(answer[0]);
    res.end(answer[1]);
  });
  const client = new KernelClient({ address: srv.address, profile: PROFILES['2024'] });
  try {
    await assert.rejects(client.listSkills(), (error: unknown) => {
      assert.ok(error instanceof KernelError);
      assert.equal(error.message, 'GET /skills: HTTP 500: database on fire');
      return true;
    });
    answer = [200, '{"skills": 3}'];
    await assert.rejects(client.cachedSkills(), (error: unknown) => {
      assert.ok(error instanceof KernelError);
      assert.match(
        error.message,
        /^GET \/cached_skills: answer "\{\\"skills\\": 3\}" is not the expected JSON array/,
      );
      return true;
    });
  } finally {
    await client.close();
    await srv.close();
  }
});

test('refused: nothing listens on the port', async () => {
  const address = await freeLoopbackAddress();
  const client = new KernelClient({ address, profile: PROFILES.v1 });
  const r = await client.run('a', { topic: 'x' });
  assert.equal(r.ok, false);
  assert.equal(r.kind, 'refused');
  assert.equal(r.status, null);
  assert.equal(r.request, 'POST /v1/skills/dev/a/run');
  assert.match(
    r.error!,
    /^POST \/v1\/skills\/dev\/a\/run to http:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED/,
  );
  assert.equal(await client.health(), false);
  await assert.rejects(client.listSkills(), /GET \/v1\/skills .*connection refused/);
  await client.close();
});

test('reset: the server destroys the socket', async () => {
  const srv = await serve((req) => req.socket.destroy());
  const client = new KernelClient({ address: srv.address, profile: PROFILES['2024'] });
  try {
    const r = await client.drop('a');
    assert.equal(r.kind, 'reset', r.error);
    assert.equal(r.request, 'DELETE /cached_skills/dev%2Fa');
    assert.match(r.error!, /connection reset/);
    assert.equal(await client.health(), false);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('timeout: the server never answers', async () => {
  const srv = await serve(() => {});
  const client = new KernelClient({
    address: srv.address,
    profile: PROFILES.v1,
    timeoutMs: 300,
    healthTimeoutMs: 200,
  });
  try {
    const r = await client.run('a', { topic: 'x' });
    assert.equal(r.kind, 'timeout', r.error);
    assert.ok(r.ms >= 290, `gave up after ${r.ms} ms`);
    assert.match(r.error!, /timed out .* \(limit 300 ms\)$/);
    assert.equal(await client.health(), false);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('timeout: a request queued behind a hung one is bounded as a whole, queue included', async () => {
  const srv = await serve(() => {});
  // One socket: the second request waits for it, and the first never frees it.
  const client = new KernelClient({
    address: srv.address,
    profile: PROFILES.v1,
    connections: 1,
    timeoutMs: 300,
  });
  try {
    const [first, second] = await Promise.all(client.runTimes('a', { topic: 'x' }, 2));
    for (const r of [first!, second!]) {
      assert.equal(r.kind, 'timeout', r.error);
      assert.ok(r.ms >= 290 && r.ms < 550, `gave up after ${r.ms} ms`);
      assert.match(r.error!, /\(limit 300 ms\)$/);
    }
  } finally {
    await client.close();
    await srv.close();
  }
});

test('timeout: a hung request still ends at its limit while hundreds of others come and go', async () => {
  const srv = await serve((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (!body.includes('"slow"')) json(res, 200, 'ok');
    });
  });
  const client = new KernelClient({
    address: srv.address,
    profile: PROFILES.v1,
    connections: 20,
    timeoutMs: 400,
  });
  try {
    const slow = client.run('a', { topic: 'slow' });
    // Ended requests are dropped from the deadline list in batches: many of
    // them, around one that stays, must not lose or delay its deadline.
    const fast: RequestResult[] = [];
    for (let round = 0; round < 5; round++) {
      fast.push(...(await Promise.all(client.runTimes('a', { topic: 'fast' }, 100))));
    }
    // A lost deadline would hang here: fail instead.
    const never = new Promise<null>((resolve) => setTimeout(resolve, 3000, null).unref());
    const r = await Promise.race([slow, never]);
    assert.ok(r, 'the hung request never ended: its deadline was lost');
    assert.equal(fast.length, 500);
    assert.deepEqual(
      fast.filter((f) => !f.ok).map((f) => f.error),
      [],
    );
    assert.equal(r.kind, 'timeout', r.error);
    assert.ok(r.ms >= 390 && r.ms < 600, `gave up after ${r.ms} ms`);
    // And a later request has its own full limit.
    const later = await client.run('a', { topic: 'slow' });
    assert.equal(later.kind, 'timeout');
    assert.ok(later.ms >= 390 && later.ms < 600, `gave up after ${later.ms} ms`);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a body of many chunks is read whole, multi-byte characters intact', async () => {
  const text = 'ä€😀'.repeat(5000);
  const srv = await serve((_req, res) => {
    const bytes = Buffer.from(JSON.stringify({ text }));
    // Cut inside characters on purpose.
    for (let at = 0; at < bytes.length; at += 1001) res.write(bytes.subarray(at, at + 1001));
    res.end();
  });
  const client = new KernelClient({ address: srv.address, profile: PROFILES.v1 });
  try {
    const r = await client.run('a', { topic: 'x' });
    assert.equal(r.ok, true, r.error);
    assert.equal(JSON.parse(r.body!).text, text);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('http: status kept with the first 200 chars of the body', async () => {
  const srv = await serve((_req, res) => {
    res.writeHead(500);
    res.end('E'.repeat(150) + 'F'.repeat(150));
  });
  const client = new KernelClient({ address: srv.address, profile: PROFILES.v1 });
  try {
    const r = await client.run('a', { topic: 'x' });
    assert.equal(r.ok, false);
    assert.equal(r.kind, 'http');
    assert.equal(r.status, 500);
    assert.equal(r.body, 'E'.repeat(150) + 'F'.repeat(50));
    assert.equal(
      r.error,
      `POST /v1/skills/dev/a/run: HTTP 500: ${'E'.repeat(150)}${'F'.repeat(50)}`,
    );
  } finally {
    await client.close();
    await srv.close();
  }
});

test('the token is sent as a bearer header and never shows in errors or bodies', async () => {
  const token = 'tok-3f9a-very-secret';
  const seen: string[] = [];
  const srv = await serve((req, res) => {
    seen.push(String(req.headers.authorization));
    if (req.url === '/v1/skills') {
      // A kernel that echoes what it got, as some error pages do.
      res.writeHead(401);
      res.end(`rejected ${req.headers.authorization}`);
    } else {
      res.writeHead(500);
      res.end(`bad token ${token} for ${req.url}`);
    }
  });
  const client = new KernelClient({ address: srv.address, profile: PROFILES.v1, token });
  try {
    const r = await client.run('a', { topic: 'x' });
    assert.equal(r.kind, 'http');
    assert.ok(!r.error!.includes(token) && !r.body!.includes(token), r.error);
    assert.match(r.error!, /bad token \*\*\* for/);
    await assert.rejects(client.listSkills(), (error: unknown) => {
      assert.ok(error instanceof KernelError);
      assert.ok(!error.message.includes(token), error.message);
      assert.match(error.message, /GET \/v1\/skills: HTTP 401: rejected Bearer \*\*\*/);
      return true;
    });
    assert.deepEqual(seen, [`Bearer ${token}`, `Bearer ${token}`]);
  } finally {
    await client.close();
    await srv.close();
  }
  // Refused errors neither.
  const closed = new KernelClient({
    address: await freeLoopbackAddress(),
    profile: PROFILES.v1,
    token,
  });
  const r = await closed.run('a', {});
  assert.ok(!r.error!.includes(token));
  await closed.close();
});

test(
  'runMany: 300 at once against a server that resets beyond 40 in flight',
  { timeout: 120_000 },
  async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const srv = await serve((req, res) => {
      if (inFlight >= 40) {
        req.socket.destroy();
        return;
      }
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('Hello');
      }, 200);
    });
    const client = new KernelClient({
      address: srv.address,
      profile: PROFILES.v1,
      connections: 300,
      timeoutMs: 30_000,
    });
    try {
      const tasks = Array.from(
        { length: 300 },
        (_, i) => () => client.run(`s${i}`, { topic: 'x' }),
      );
      const results = await client.runMany(tasks);
      assert.equal(results.length, 300);
      const stats = summarize(results);
      const failed = Object.values(stats.errors).reduce((a, b) => a + b, 0);
      assert.equal(stats.count, 300);
      assert.equal(stats.ok + failed, 300);
      assert.ok(stats.ok >= 40, JSON.stringify(stats));
      assert.ok((stats.errors.reset ?? 0) > 0, JSON.stringify(stats));
      assert.ok(maxInFlight <= 40);
      assert.ok(stats.latency.min <= stats.latency.p50 && stats.latency.p50 <= stats.latency.max);
      // The resets come back at once; the latency is of the ok ones, which waited 200 ms.
      assert.equal(stats.latency_of, 'ok');
      assert.ok(stats.latency.min >= 195, JSON.stringify(stats.latency));
      const fastest = Math.min(...results.filter((r) => !r.ok).map((r) => r.ms));
      assert.ok(fastest < 195, `a reset took ${fastest} ms`);
      for (const r of results) assert.equal(r.ok || r.kind !== undefined, true);
    } finally {
      await client.close();
      await srv.close();
    }
  },
);

test('runMany turns a throwing task into an `other` result', async () => {
  const results = await runMany([
    async () => ({ ok: true, status: 200, ms: 1, request: 'GET /x' }),
    async () => {
      throw new Error('boom');
    },
  ]);
  assert.equal(results[0]!.ok, true);
  assert.equal(results[1]!.kind, 'other');
  assert.match(results[1]!.error!, /boom/);
});

test('summarize: counts by kind; latency quantiles of the ok requests, rounded to 0.1 ms', () => {
  const results: RequestResult[] = Array.from({ length: 100 }, (_, i) => ({
    ok: i >= 10,
    status: i >= 10 ? 200 : null,
    kind: i < 5 ? 'reset' : i < 8 ? 'timeout' : i < 10 ? 'refused' : undefined,
    // ok ones: 90.04 down to 1.04, unsorted on purpose; failures are fast (0.5 ms).
    ms: i >= 10 ? 100 - i + 0.04 : 0.5,
    request: 'POST /execute_skill',
  }));
  assert.deepEqual(summarize(results), {
    count: 100,
    ok: 90,
    errors: { reset: 5, timeout: 3, refused: 2 },
    // Linear interpolation (numpy's default) over the 90 ok ones:
    // p50 = x[44.5] = 45.54, p95 = x[84.55] = 85.59, p99 = x[88.11] = 89.15.
    latency: { min: 1, p50: 45.5, p95: 85.6, p99: 89.2, max: 90 },
    latency_of: 'ok',
  });
  // None ok: the latency of every request, flagged.
  const failed = results.slice(0, 10).map((r, i) => ({ ...r, ms: i + 1 }));
  assert.deepEqual(summarize(failed), {
    count: 10,
    ok: 0,
    errors: { reset: 5, timeout: 3, refused: 2 },
    // p95 = x[8.55] = 9.55, which rounds down in binary floating point.
    latency: { min: 1, p50: 5.5, p95: 9.5, p99: 9.9, max: 10 },
    latency_of: 'all',
  });
  assert.deepEqual(summarize([]), {
    count: 0,
    ok: 0,
    errors: {},
    latency: { min: 0, p50: 0, p95: 0, p99: 0, max: 0 },
    latency_of: 'all',
  });
});

test('summarize: span_ms runs from the first request sent to the last one done', () => {
  const at = (start: number, ms: number, ok = true): RequestResult => ({
    ok,
    status: ok ? 200 : null,
    ...(ok ? {} : { kind: 'reset' as const }),
    ms,
    start,
    request: 'POST /execute_skill',
  });
  // Sent at 1000.0, 1000.5 and 1002; the last to end is the first one sent (1000 + 7.25).
  const stats = summarize([at(1000, 7.25), at(1000.5, 3), at(1002, 0.5, false)]);
  assert.equal(stats.span_ms, 7.3);
  assert.equal(stats.latency.max, 7.3);
  // A failure that ends last counts too: the span is of every request.
  assert.equal(summarize([at(1000, 1), at(1001, 9, false)]).span_ms, 10);
  // Results without a start (built by hand) give no span rather than a wrong one.
  assert.equal('span_ms' in summarize([{ ...at(0, 1), start: undefined }]), false);
});

test('the client takes the API by profile or by name, the address as host:port or origin', async () => {
  const srv = await serve((req, res) => json(res, 200, req.url === '/skills' ? ['dev/b'] : 'no'));
  const client = new KernelClient({ baseUrl: `http://${srv.address}`, api: '2024' });
  try {
    assert.equal(client.profile, PROFILES['2024']);
    assert.deepEqual(await client.listSkills(), ['b']);
  } finally {
    await client.close();
    await srv.close();
  }
  assert.throws(
    () => new KernelClient({ address: srv.address, api: 'v9' as never }),
    /API "v9" is not known; expected one of v1, 2024/,
  );
});

test('addresses and error classes', () => {
  assert.equal(originOf('127.0.0.1:8081'), 'http://127.0.0.1:8081');
  assert.equal(originOf('0.0.0.0:8081'), 'http://127.0.0.1:8081');
  assert.equal(originOf('[::]:8081'), 'http://[::1]:8081');
  assert.equal(originOf('http://localhost:9/'), 'http://localhost:9');
  assert.throws(
    () => originOf('8081'),
    (e: unknown) =>
      e instanceof InputError && /"8081" is not valid; expected HOST:PORT/.test(e.message),
  );
  assert.throws(() => originOf('host:99999'), InputError);
  assert.equal(classify(Object.assign(new Error('x'), { code: 'EPIPE' })), 'reset');
  assert.equal(classify(new DOMException('t', 'TimeoutError')), 'timeout');
  assert.equal(
    classify(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ECONNREFUSED' }) })),
    'refused',
  );
  assert.equal(classify(new Error('plain')), 'other');
});
