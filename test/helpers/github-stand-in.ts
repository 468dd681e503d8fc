// A local HTTP server standing in for the parts of the GitHub REST API the
// action uses, so tests run the real octokit and artifact clients against it:
// issue comments (paginated with Link headers, create, update), and the
// public artifact API (list a run's artifacts, download one as a zip).
// It records every request so a test can assert what was (not) called.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  /** Parsed JSON body, when there was one. */
  body: unknown;
}

export interface StandInComment {
  id: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
  html_url: string;
}

export interface StandInArtifact {
  id: number;
  name: string;
  /** The run the artifact belongs to. */
  runId: number;
  /** File name → contents; served as a zip. */
  files: Record<string, string>;
}

export interface StandInOptions {
  /** Comments already on the pull request (any PR number). */
  comments?: Array<{ body: string; login?: string; type?: 'User' | 'Bot' }>;
  /** Answer 403 to comment create/update, as for a fork's read-only token. */
  readOnly?: boolean;
  artifacts?: StandInArtifact[];
}

export interface GitHubStandIn {
  /** Base URL for GITHUB_API_URL. */
  url: string;
  requests: RecordedRequest[];
  comments: StandInComment[];
  artifacts: StandInArtifact[];
  readOnly: boolean;
  close(): Promise<void>;
}

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<GitHubStandIn> {
  let nextId = 1000;
  const state: GitHubStandIn = {
    url: '',
    requests: [],
    comments: (options.comments ?? []).map((c) => ({
      id: nextId++,
      body: c.body,
      user: { login: c.login ?? 'someone', type: c.type ?? 'User' },
      html_url: '',
    })),
    artifacts: options.artifacts ?? [],
    readOnly: options.readOnly ?? false,
    close: async () => {},
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, 500, { message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', state.url);
    const text = await readBody(req);
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = req.method ?? 'GET';
    state.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    });
    const p = url.pathname;
    let m: RegExpMatchArray | null;

    if ((m = p.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/))) {
      const [, owner, repo, number] = m;
      if (method === 'GET') {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const pages = Math.max(1, Math.ceil(state.comments.length / perPage));
        const slice = state.comments.slice((page - 1) * perPage, page * perPage);
        const link = (n: number, rel: string) => {
          const u = new URL(url);
          u.searchParams.set('page', String(n));
          u.searchParams.set('per_page', String(perPage));
          return `<${u.toString()}>; rel="${rel}"`;
        };
        const links: string[] = [];
        if (page < pages) links.push(link(page + 1, 'next'), link(pages, 'last'));
        if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
        send(res, 200, slice, links.length ? { link: links.join(', ') } : {});
        return;
      }
      if (method === 'POST') {
        if (state.readOnly) return forbidden(res);
        const id = nextId++;
        const comment: StandInComment = {
          id,
          body: String((body as { body?: unknown })?.body ?? ''),
          user: { login: 'github-actions[bot]', type: 'Bot' },
          html_url: `https://github.com/${owner}/${repo}/pull/${number}#issuecomment-${id}`,
        };
        state.comments.push(comment);
        send(res, 201, comment);
        return;
      }
    }

    if (
      (m = p.match(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/)) &&
      method === 'PATCH'
    ) {
      if (state.readOnly) return forbidden(res);
      const comment = state.comments.find((c) => c.id === Number(m![3]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      comment.body = String((body as { body?: unknown })?.body ?? '');
      comment.html_url ||= `https://github.com/${m[1]}/${m[2]}/pull/1#issuecomment-${comment.id}`;
      send(res, 200, comment);
      return;
    }

    if (
      (m = p.match(/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/artifacts$/)) &&
      method === 'GET'
    ) {
      const runId = Number(m[1]);
      const list = state.artifacts.filter((a) => a.runId === runId);
      send(res, 200, {
        total_count: list.length,
        artifacts: list.map((a) => ({
          id: a.id,
          name: a.name,
          size_in_bytes: zip(a.files).length,
          created_at: new Date(0).toISOString(),
        })),
      });
      return;
    }

    if (
      (m = p.match(/^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/(\d+)\/zip$/)) &&
      method === 'GET'
    ) {
      // Like GitHub: a redirect to blob storage, which serves the zip.
      res.writeHead(302, { location: `${state.url}/blob/${m[1]}.zip` });
      res.end();
      return;
    }

    if ((m = p.match(/^\/blob\/(\d+)\.zip$/)) && method === 'GET') {
      const artifact = state.artifacts.find((a) => a.id === Number(m![1]));
      if (!artifact) return send(res, 404, { message: 'Not Found' });
      const data = zip(artifact.files);
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': data.length });
      res.end(data);
      return;
    }

    send(res, 404, { message: `stand-in has no route for ${method} ${p}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function forbidden(res: ServerResponse): void {
  send(res, 403, {
    message: 'Resource not accessible by integration',
    documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
    status: '403',
  });
}

function send(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(data);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A minimal zip (entries stored, not deflated): enough for the artifact
 * client's unzip, and no zip library is among the project's dependencies.
 */
export function zip(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const nameBuf = Buffer.from(name, 'utf8');
    const data = Buffer.from(content, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time/date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
