import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export const tmuxMissing = spawnSync('tmux', ['-V']).status === 0 ? null : 'tmux no está instalado (paquete tmux de Debian)';

/**
 * Runs a shell command in a real terminal of `columns`×`rows` (a tmux pane on its own
 * server) and returns what the operator sees once it ends: the screen and its history,
 * wrapped lines joined back, so a line wider than the terminal shows as longer.
 */
export async function inTerminal(t: Teardown, command: string, size = { columns: 80, rows: 24 }, timeoutMs = 120_000): Promise<string[]> {
  const socket = `copiar-tablas-${randomBytes(4).toString('hex')}`;
  const done = `FIN-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), `${command}; echo ${done}; sleep 600`);
  t.teardown(() => spawnSync('tmux', ['-L', socket, 'kill-server']));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-J', '-S', '-2000');
    if (screen.includes(done)) return screen.split('\n').filter((line) => !line.includes(done));
    if (Date.now() > deadline) throw new Error(`la orden no terminó en la terminal: ${screen}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
