import type { LandingResult, TelemetrySample } from '@reverie/lunar-lander';

/** A finished landing's result and its telemetry (one sample per step), from its session events. */
export function landingFromEvents(events: Record<string, unknown>[]): {
  result: LandingResult | null;
  telemetry: TelemetrySample[];
} {
  let result: LandingResult | null = null;
  const telemetry: TelemetrySample[] = [];
  for (const event of events) {
    if (event['type'] !== 'observation' || event['actor'] !== 'environment') continue;
    const data = event['data'] as { telemetry?: TelemetrySample; result?: LandingResult };
    if (data.telemetry) telemetry.push(data.telemetry);
    if (data.result) result = data.result;
  }
  return { result, telemetry };
}
