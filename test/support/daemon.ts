// A real server program (HAProxy, nginx) started by a test in the foreground, with its output kept
// for failure messages, and the free ports it is configured with.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { pollUntil } from './tls-server.js';

/** A port free on `host` right now (the OS's pick), for a generated config. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export class Daemon {
  /** Everything it wrote to stdout and stderr so far. */
  output = '';

  private constructor(readonly process: ChildProcess) {
    process.stdout!.on('data', (d: Buffer) => (this.output += d.toString()));
    process.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
    // If the test process ends without its after hook (a crash), the daemon must not outlive it.
    // The hook goes once the daemon has exited, so that many daemons in one run do not pile up
    // exit listeners (Node warns past ten).
    const kill = (): boolean => process.kill('SIGKILL');
    globalThis.process.once('exit', kill);
    process.once('exit', () => globalThis.process.off('exit', kill));
  }

  /** Starts `command` (with `env` over this process's environment) and waits (up to 10 s) until it accepts on 127.0.0.1:`readyPort`. */
  static async start(command: string, args: readonly string[], readyPort: number, env: Readonly<Record<string, string>> = {}): Promise<Daemon> {
    const daemon = new Daemon(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
    await pollUntil(`${command} listening on ${readyPort}`, () => canConnect(readyPort), 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; ${command} said: ${daemon.output}`);
    });
    return daemon;
  }

  /** Sends `signal` (its graceful stop) and waits for the exit. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill(signal);
    await exited;
  }
}
