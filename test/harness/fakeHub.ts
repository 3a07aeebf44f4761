/**
 * A local Hugging Face Hub on 127.0.0.1 that serves fixture repositories the way the Hub does:
 * the revision and tree APIs, /resolve/ URLs that redirect LFS files to a CDN on another origin
 * (a second server), ETags, Range requests with If-Range, 404s, and gated repositories (401
 * without the right bearer token). Used by the download tests of the engine, the CLI and the
 * extension: point HF_ENDPOINT at `url`.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FixtureFile { data: Buffer; lfs: boolean }
export interface FixtureRepo { commit: string; gated?: string; files: Record<string, FixtureFile> }

export const text = (s: string): FixtureFile => ({ data: Buffer.from(s), lfs: false });
export const sha1Blob = (d: Buffer) => createHash('sha1').update(`blob ${d.length}\0`).update(d).digest('hex');
export const sha256 = (d: Buffer) => createHash('sha256').update(d).digest('hex');

/** A repository holding a folder's files; weights (.safetensors, .bin) are LFS files, as on the Hub. */
export function repoFromFolder(dir: string, commit: string): FixtureRepo {
  const files: Record<string, FixtureFile> = {};
  for (const name of readdirSync(dir)) {
    if (!statSync(join(dir, name)).isFile()) continue;
    files[name] = { data: readFileSync(join(dir, name)), lfs: /\.(safetensors|bin|h5)$/.test(name) };
  }
  return { commit, files };
}

export interface SeenRequest { server: 'hub' | 'cdn'; url: string; range?: string; ifRange?: string; auth?: string }

export interface FakeHub {
  /** The Hub's endpoint (HF_ENDPOINT). */
  url: string;
  cdnUrl: string;
  repos: Record<string, FixtureRepo>;
  /** Every request, in order. */
  seen: SeenRequest[];
  /** "<repo>/<path>" whose next CDN or resolve response breaks off half-way. */
  breakNext: Set<string>;
  /** "<repo>/<path>" whose contents are served with the last byte flipped. */
  corrupt: Set<string>;
  close(): Promise<void>;
}

export async function startFakeHub(repos: Record<string, FixtureRepo>): Promise<FakeHub> {
  const seen: SeenRequest[] = [];
  const breakNext = new Set<string>();
  const corrupt = new Set<string>();
  let hubUrl = '';
  let cdnUrl = '';

  const lookup = (id: string, path: string) => {
    const repo = repos[id];
    const file = repo?.files[path];
    return repo && file ? { repo, file } : undefined;
  };

  function sendRange(req: IncomingMessage, res: ServerResponse, data: Buffer, etag: string, key: string): void {
    let start = 0;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'];
    if (range && (!ifRange || ifRange === `"${etag}"`)) start = Number(/bytes=(\d+)-/.exec(range)![1]);
    let body = data.subarray(start);
    if (corrupt.has(key)) {
      body = Buffer.from(body);
      body[body.length - 1] ^= 0xff;
    }
    res.writeHead(start > 0 ? 206 : 200, {
      etag: `"${etag}"`,
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(start > 0 ? { 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : {}),
    });
    if (breakNext.delete(key)) {
      res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      return;
    }
    res.end(body);
  }

  function hubHandler(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, hubUrl);
    seen.push({ server: 'hub', url: url.pathname, range: req.headers.range, auth: req.headers.authorization });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    let m = /^\/api\/models\/(.+)\/(revision|tree)\/([^/]+)$/.exec(url.pathname);
    if (m) {
      const repo = repos[m[1]];
      if (!repo) return json(404, { error: 'Repository not found' });
      if (repo.gated && req.headers.authorization !== `Bearer ${repo.gated}`) return json(401, { error: 'Access restricted' });
      if (m[2] === 'revision') return json(200, { id: m[1], sha: repo.commit, siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })) });
      return json(
        200,
        Object.entries(repo.files).map(([path, f]) => ({
          type: 'file',
          path,
          size: f.data.length,
          oid: sha1Blob(f.data),
          ...(f.lfs ? { lfs: { oid: sha256(f.data), size: f.data.length, pointerSize: 130 } } : {}),
        })),
      );
    }
    m = /^\/(.+)\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url.pathname);
    const found = m ? lookup(m[1], decodeURIComponent(m[3])) : undefined;
    if (!found) return json(404, { error: 'Entry not found' });
    if (found.repo.gated && req.headers.authorization !== `Bearer ${found.repo.gated}`) return json(401, { error: 'Access restricted' });
    if (found.file.lfs) {
      // LFS contents live on the CDN: another origin, with a signed-looking URL.
      res.writeHead(302, { location: `${cdnUrl}/blobs/${sha256(found.file.data)}?sig=x`, 'x-linked-etag': `"${sha256(found.file.data)}"`, 'x-repo-commit': found.repo.commit });
      return void res.end();
    }
    sendRange(req, res, found.file.data, sha1Blob(found.file.data), `${m![1]}/${m![3]}`);
  }

  function cdnHandler(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, cdnUrl);
    seen.push({ server: 'cdn', url: url.pathname, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, auth: req.headers.authorization });
    for (const [id, repo] of Object.entries(repos)) {
      for (const [path, f] of Object.entries(repo.files)) {
        if (url.pathname === `/blobs/${sha256(f.data)}`) return sendRange(req, res, f.data, sha256(f.data), `${id}/${path}`);
      }
    }
    res.writeHead(404);
    res.end();
  }

  const listen = (s: Server) => new Promise<string>((ok) => s.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
  const hub = createServer(hubHandler);
  const cdn = createServer(cdnHandler);
  hubUrl = await listen(hub);
  cdnUrl = await listen(cdn);
  const stop = (s: Server) => new Promise<void>((ok) => {
    s.closeAllConnections();
    s.close(() => ok());
  });
  return { url: hubUrl, cdnUrl, repos, seen, breakNext, corrupt, close: async () => void (await Promise.all([stop(hub), stop(cdn)])) };
}

/** The address of a port on 127.0.0.1 where nothing listens any more: an unreachable Hub. */
export async function deadEndpoint(): Promise<string> {
  const s = createServer();
  const url = await new Promise<string>((ok) => s.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
  await new Promise((ok) => s.close(ok));
  return url;
}
