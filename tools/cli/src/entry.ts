/**
 * Where bin/reverie.js starts the CLI. An in-process command (`eval`, `dream --offline`) runs in a
 * worker with this process's heap (heap-worker.ts), and this thread loads no more than it needs to
 * decide that; every other command runs here.
 */
import { commandWord } from './argv';
import { outOfMemoryMessage, runInHeapWorker, runsInHeapWorker } from './heap-worker';

export async function start(argv: string[]): Promise<void> {
  if (!runsInHeapWorker(argv, commandWord(argv))) {
    await (await import('./main')).run(argv);
    return;
  }
  const ran = await runInHeapWorker(require.resolve('./main'), argv);
  if (!ran.outOfMemory && !ran.error) {
    process.exitCode = ran.exitCode;
    return;
  }
  // A progress line may be open on a terminal: the failure starts on a line of its own.
  if (process.stderr.isTTY) process.stderr.write('\n');
  const { describeFailure, failWith } = await import('./main');
  failWith(
    argv,
    ran.outOfMemory
      ? { message: outOfMemoryMessage(ran.limitMb, ran.limitFromFlag), exitCode: 1 }
      : describeFailure(ran.error),
  );
}
