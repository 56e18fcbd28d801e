import { M } from './fast-math';
import { MAX_PITCH, THROTTLE_FULL, THROTTLE_MAX_THROTTLED, THROTTLE_MIN } from './constants';
import type { Command } from './types';

const DEG = M.PI / 180;

/** Why a throttle setting is refused, or null when the engine accepts it. */
export function throttleError(throttle: unknown): string | null {
  const allowed = `0 (off), ${THROTTLE_MIN} to ${THROTTLE_MAX_THROTTLED}, or ${THROTTLE_FULL} (full thrust)`;
  if (typeof throttle !== 'number' || !Number.isFinite(throttle)) {
    return `throttle ${String(throttle)} is not a finite number; the descent engine accepts ${allowed}`;
  }
  const ok =
    throttle === 0 ||
    throttle === THROTTLE_FULL ||
    (throttle >= THROTTLE_MIN && throttle <= THROTTLE_MAX_THROTTLED);
  return ok ? null : `throttle ${throttle} is outside the descent engine's range: ${allowed}`;
}

/** Why a commanded pitch is refused, or null when it is within +/- MAX_PITCH. */
export function pitchError(pitch: unknown): string | null {
  const limit = `±${round(MAX_PITCH / DEG)}°`;
  if (typeof pitch !== 'number' || !Number.isFinite(pitch)) {
    return `pitch ${String(pitch)} is not a finite number of radians; the limit is ${limit}`;
  }
  if (M.abs(pitch) <= MAX_PITCH) return null;
  return `pitch ${round(pitch / DEG)}° (${pitch} rad) is beyond the attitude limit of ${limit}`;
}

function round(value: number): number {
  return M.round(value * 10) / 10;
}

/** Why a command is refused (the first problem found), or null when it may be applied. */
export function commandError(cmd: Command): string | null {
  if (typeof cmd !== 'object' || cmd === null) return 'a command must be an object';
  return (
    (cmd.throttle !== undefined ? throttleError(cmd.throttle) : null) ??
    (cmd.pitch !== undefined ? pitchError(cmd.pitch) : null)
  );
}
