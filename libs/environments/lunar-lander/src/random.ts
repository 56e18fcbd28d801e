import { M } from './fast-math';
/**
 * Counter-based random numbers: every draw is a pure hash of (seed, channel, index, sub-index), so a
 * run needs no generator state, a checkpoint needs none either, and the same tick always draws the
 * same noise however often (or in whatever order) a sensor is read.
 */

/** Independent streams, one per use, so adding draws to one never shifts another. */
export const RandomChannel = {
  rampSlope: 1,
  craterPlace: 2,
  boulderPlace: 3,
  radarNoise: 10,
  velocityNoiseX: 11,
  velocityNoiseZ: 12,
  scanHeightNoise: 13,
  scanBoulderNoise: 14,
} as const;

export type RandomChannelId = (typeof RandomChannel)[keyof typeof RandomChannel];

const TWO_POW_32 = 2 ** 32;

/** One MurmurHash3 (x86_32) block round: folds a 32-bit word into the running hash. */
function mixWord(h: number, word: number): number {
  let k = M.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = M.imul(k, 0x1b873593);
  let out = h ^ k;
  out = (out << 13) | (out >>> 19);
  return (M.imul(out, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser: every input bit affects every output bit. */
function finalise(h: number): number {
  let out = h ^ (h >>> 16);
  out = M.imul(out, 0x85ebca6b);
  out ^= out >>> 13;
  out = M.imul(out, 0xc2b2ae35);
  out ^= out >>> 16;
  return out >>> 0;
}

/** Low and high 32-bit words of a number, so seeds and indexes beyond 2^32 still differ. */
function words(value: number): [number, number] {
  const whole = M.trunc(value);
  return [whole >>> 0, M.floor(whole / TWO_POW_32) >>> 0];
}

/** A 32-bit hash of the inputs (unsigned). Non-integers are truncated. */
export function hash32(seed: number, channel: number, index: number, sub = 0, lane = 0): number {
  const [seedLo, seedHi] = words(seed);
  const [indexLo, indexHi] = words(index);
  let h = 0x9e3779b9;
  for (const w of [seedLo, seedHi, channel >>> 0, indexLo, indexHi, sub >>> 0, lane >>> 0]) {
    h = mixWord(h, w);
  }
  return finalise(h ^ 28); // 28 = 7 words * 4 bytes, MurmurHash3's length step
}

/** A uniform draw in [0, 1) with 53 random bits (two hashes), a pure function of its inputs. */
export function uniform(seed: number, channel: number, index: number, sub = 0): number {
  return uniformLane(seed, channel, index, sub, 0);
}

function uniformLane(
  seed: number,
  channel: number,
  index: number,
  sub: number,
  lane: number,
): number {
  const high = hash32(seed, channel, index, sub, 2 * lane) >>> 5; // 27 bits
  const low = hash32(seed, channel, index, sub, 2 * lane + 1) >>> 6; // 26 bits
  return (high * 2 ** 26 + low) / 2 ** 53;
}

/** A uniform draw in [min, max). */
export function uniformIn(
  min: number,
  max: number,
  seed: number,
  channel: number,
  index: number,
  sub = 0,
): number {
  return min + (max - min) * uniform(seed, channel, index, sub);
}

/** A standard normal draw (Box–Muller on two independent uniforms), a pure function of its inputs. */
export function gaussian(seed: number, channel: number, index: number, sub = 0): number {
  // 1 - u lies in (0, 1], so the logarithm is always finite.
  const u1 = 1 - uniformLane(seed, channel, index, sub, 1);
  const u2 = uniformLane(seed, channel, index, sub, 2);
  return M.sqrt(-2 * M.log(u1)) * M.cos(2 * M.PI * u2);
}
