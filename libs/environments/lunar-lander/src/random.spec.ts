import { gaussian, hash32, RandomChannel, uniform, uniformIn } from './random';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

describe('counter-based random numbers', () => {
  it('are pure functions of (seed, channel, index, sub)', () => {
    expect(uniform(7, RandomChannel.radarNoise, 42)).toBe(uniform(7, RandomChannel.radarNoise, 42));
    expect(gaussian(7, RandomChannel.radarNoise, 42, 3)).toBe(
      gaussian(7, RandomChannel.radarNoise, 42, 3),
    );
    expect(hash32(1, 2, 3, 4, 5)).toBe(hash32(1, 2, 3, 4, 5));
  });

  it('change with every input, including seeds and indexes beyond 32 bits', () => {
    const base = uniform(7, 1, 42, 0);
    expect(uniform(8, 1, 42, 0)).not.toBe(base);
    expect(uniform(7, 2, 42, 0)).not.toBe(base);
    expect(uniform(7, 1, 43, 0)).not.toBe(base);
    expect(uniform(7, 1, 42, 1)).not.toBe(base);
    expect(uniform(7 + 2 ** 32, 1, 42)).not.toBe(base);
    expect(uniform(7, 1, 42 + 2 ** 32)).not.toBe(base);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const draws = range(20_000).map((i) => uniform(3, RandomChannel.boulderPlace, i));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const { mean, sd } = stats(draws);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sd).toBeCloseTo(Math.sqrt(1 / 12), 2);
  });

  it('scales uniforms into [min, max)', () => {
    const draws = range(1_000).map((i) => uniformIn(-3, 5, 11, 1, i));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...draws)).toBeLessThan(5);
  });

  it('draws standard normals: mean 0, sd 1, about 68 % within one sd', () => {
    const draws = range(20_000).map((i) => gaussian(5, RandomChannel.velocityNoiseX, i));
    const { mean, sd } = stats(draws);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(sd).toBeGreaterThan(0.97);
    expect(sd).toBeLessThan(1.03);
    const within = draws.filter((d) => Math.abs(d) < 1).length / draws.length;
    expect(within).toBeGreaterThan(0.66);
    expect(within).toBeLessThan(0.7);
    expect(draws.every(Number.isFinite)).toBe(true);
  });

  it('keeps channels uncorrelated', () => {
    const a = range(10_000).map((i) => gaussian(9, RandomChannel.velocityNoiseX, i));
    const b = range(10_000).map((i) => gaussian(9, RandomChannel.velocityNoiseZ, i));
    const correlation = a.reduce((sum, x, i) => sum + x * b[i], 0) / a.length;
    expect(Math.abs(correlation)).toBeLessThan(0.05);
  });
});
