import { CopiarError } from '../errors.js';

/** --max-duration (90m, 2h, 1h30m, 45s) or --until (HH:MM, local time, the next such moment): the nearer one. */
export function stopDeadline(maxDuration: string | undefined, until: string | undefined, now = new Date()): { ms: number; label: string } | null {
  const candidates: { ms: number; label: string }[] = [];
  if (maxDuration !== undefined) {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(maxDuration.trim());
    if (!match || maxDuration.trim() === '') throw new CopiarError('USO_INVALIDO', `--max-duration no se entiende: se recibió ${JSON.stringify(maxDuration)}; use por ejemplo 90m, 2h o 1h30m.`);
    const ms = ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
    if (ms === 0) throw new CopiarError('USO_INVALIDO', `--max-duration debe ser mayor que cero, se recibió ${JSON.stringify(maxDuration)}.`);
    candidates.push({ ms, label: `--max-duration ${maxDuration}` });
  }
  if (until !== undefined) {
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(until.trim());
    if (!match) throw new CopiarError('USO_INVALIDO', `--until espera una hora HH:MM, se recibió ${JSON.stringify(until)}.`);
    const at = new Date(now);
    at.setHours(Number(match[1]), Number(match[2]), 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    candidates.push({ ms: at.getTime() - now.getTime(), label: `--until ${until}` });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (a.ms <= b.ms ? a : b));
}

/**
 * An AbortSignal that fires on SIGINT, SIGTERM, the deadline, or the output closing
 * under the run (`--json | head`: EPIPE), each with its own sentence; `release` stops
 * listening.
 */
export function stopOnSignalsOrDeadline(deadline: { ms: number; label: string } | null, output?: NodeJS.WritableStream): { signal: AbortSignal; release: () => void } {
  const stop = new AbortController();
  // A reader that went away is a stop, not a crash that leaves the run "en_curso";
  // later writes to the closed stream fail quietly here too.
  const onOutputError = (error: { code?: string }): void => {
    if (!stop.signal.aborted) stop.abort(new CopiarError('DETENIDO', `detenido porque se cerró la salida (${error.code ?? 'error de escritura'})`));
  };
  output?.on('error', onOutputError);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) stop.abort(new CopiarError('DETENIDO', `detenido por la señal ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = deadline ? setTimeout(() => stop.abort(new CopiarError('DETENIDO', `detenido al llegar al límite (${deadline.label})`)), deadline.ms) : undefined;
  return {
    signal: stop.signal,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearTimeout(timer);
    },
  };
}
