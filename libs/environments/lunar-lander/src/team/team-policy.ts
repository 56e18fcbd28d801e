import type { TeamLog } from '@reverie/agent-team';
import type { SensorReading, TerrainScan } from '../types';
import type { CommanderDecision } from './commander';
import type { DetectorReport, NavigatorCommand, Orders } from './lunar-team';

/** What every role knows about the step it acts in. */
export interface StepContext {
  step: number;
  /** Simulated seconds since the start. */
  t: number;
  fuelAtStart: number;
  /** Where the role records what it did beyond its answer (rules applied, tool calls). */
  log: TeamLog;
}

/**
 * How a team plays the lunar landing, one decision step at a time: the Detector senses, the
 * Commander decides, the Navigator flies. The builtin team and a team of models both implement
 * it; the episode records the messages between them and the commands that reach the craft.
 */
export interface LunarTeamPolicy {
  /** Called once before the first step (for example to record playbook rules it had to skip). */
  start?(log: TeamLog): void | Promise<void>;
  detect(
    ctx: StepContext,
    input: { reading: SensorReading; scan: () => TerrainScan; orders: Orders },
  ): Promise<DetectorReport>;
  command(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<CommanderDecision>;
  navigate(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<NavigatorCommand>;
}
