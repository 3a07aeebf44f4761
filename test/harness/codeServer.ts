/**
 * A real VS Code for tests: code-server 4.100.3 (VS Code 1.100) from node_modules, started
 * on loopback with everything isolated in a scratch folder (HOME, XDG dirs, TMPDIR, user
 * data, extensions), in its own process group so that stopping it also stops its file
 * watchers and extension hosts. Nothing is downloaded.
 *
 *   const cs = await CodeServer.start({ vsix: 'electra-studio.vsix' });
 *   page.goto(cs.workbenchUrl(folder));                      // a person's window
 *   page.goto(cs.workbenchUrl(folder, { extensionDevelopmentPath, extensionTestsPath }));
 *   await cs.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface CodeServerOptions {
  /** VSIX files to install into the fresh extensions folder before start. */
  vsix?: string[];
  /** Merged over the defaults of the user settings.json. */
  userSettings?: Record<string, unknown>;
  /** User keybindings.json entries. */
  keybindings?: Array<{ key: string; command: string; args?: unknown; when?: string }>;
  /** Extra environment for code-server and so for its extension hosts. */
  env?: NodeJS.ProcessEnv;
  /** Keep the scratch folder after stop (for debugging); also ELECTRA_TEST_KEEP=1. */
  keep?: boolean;
  /** How long to wait for /healthz. */
  startTimeoutMs?: number;
}

export interface WorkbenchPayload {
  /** Absolute path of the folder holding the extension's package.json. */
  extensionDevelopmentPath?: string;
  /** Absolute path of the compiled test runner (a module exporting `run(): Promise<void>`). */
  extensionTestsPath?: string;
}

/** code-server's entry point from node_modules. */
export function codeServerEntry(): string {
  return join(dirname(require.resolve('code-server/package.json')), 'out', 'node', 'entry.js');
}

/** Settings that keep a fresh workbench quiet and predictable for a test. */
const DEFAULT_USER_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'editor.hover.delay': 300,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
};

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class CodeServer {
  private output = '';

  private constructor(
    readonly port: number,
    readonly scratch: string,
    readonly extensionsDir: string,
    readonly userDataDir: string,
    private readonly child: ChildProcess,
    private readonly keep: boolean,
  ) {
    const append = (d: Buffer) => {
      this.output += d.toString();
      if (this.output.length > 200_000) this.output = this.output.slice(-100_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** code-server's own output so far (for failure messages). */
  get log(): string {
    return this.output;
  }

  static async start(options: CodeServerOptions = {}): Promise<CodeServer> {
    const scratch = mkdtempSync(join(tmpdir(), 'electra-code-server-'));
    const dirs = Object.fromEntries(
      ['home', 'config', 'data', 'cache', 'tmp', 'extensions', 'user-data'].map((d) => {
        const p = join(scratch, d);
        mkdirSync(p, { recursive: true });
        return [d, p];
      }),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dirs.home,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      TMPDIR: dirs.tmp,
      // Never let a test inherit an outer VS Code's IPC hooks.
      VSCODE_IPC_HOOK_CLI: '',
      ...options.env,
    };
    const userDir = join(dirs['user-data'], 'User');
    mkdirSync(userDir, { recursive: true });
    writeFileSync(join(userDir, 'settings.json'), JSON.stringify({ ...DEFAULT_USER_SETTINGS, ...options.userSettings }, null, 2));
    if (options.keybindings) writeFileSync(join(userDir, 'keybindings.json'), JSON.stringify(options.keybindings, null, 2));

    const entry = codeServerEntry();
    for (const vsix of options.vsix ?? []) {
      const r = spawnSync(
        process.execPath,
        [entry, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs['user-data'], '--install-extension', resolve(vsix)],
        { env, encoding: 'utf8', timeout: 120_000 },
      );
      if (r.status !== 0) {
        throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
      }
    }

    const port = await freePort();
    const args = [
      entry,
      '--bind-addr', `127.0.0.1:${port}`,
      '--auth', 'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--extensions-dir', dirs.extensions,
      '--user-data-dir', dirs['user-data'],
    ];
    // detached: a new process group (setsid), stopped as a whole with kill(-pid).
    const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const cs = new CodeServer(port, scratch, dirs.extensions, dirs['user-data'], child, options.keep ?? process.env.ELECTRA_TEST_KEEP === '1');
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready:\n${cs.log}`);
      try {
        const res = await fetch(`${cs.url}/healthz`);
        if (res.ok) return cs;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        await cs.stop();
        throw new Error(`code-server did not answer /healthz within ${options.startTimeoutMs ?? 60_000} ms:\n${cs.log}`);
      }
      await sleep(200);
    }
  }

  /**
   * The workbench URL for `folder`; with a payload, VS Code loads the extension from
   * extensionDevelopmentPath and runs extensionTestsPath in the extension host (the page
   * then calls window.codeAutomationExit(code) when the tests settle).
   */
  workbenchUrl(folder: string, payload?: WorkbenchPayload): string {
    let url = `${this.url}/?folder=${encodeURIComponent(resolve(folder))}`;
    if (payload) {
      const entries: Array<[string, string]> = [];
      if (payload.extensionDevelopmentPath) entries.push(['extensionDevelopmentPath', `vscode-remote://remote${resolve(payload.extensionDevelopmentPath)}`]);
      if (payload.extensionTestsPath) entries.push(['extensionTestsPath', `vscode-remote://remote${resolve(payload.extensionTestsPath)}`]);
      url += `&payload=${encodeURIComponent(JSON.stringify(entries))}`;
    }
    return url;
  }

  /** Stops code-server and everything it started (SIGTERM to the group, SIGKILL after 5 s). */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await Promise.race([exited, sleep(5000)]);
    }
    // Children (extension hosts, watchers, language servers) may outlive the main process.
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* the group is empty */
      }
    }
    if (!this.keep) rmSync(this.scratch, { recursive: true, force: true });
  }
}
