/** Stops what global-setup started (containers or the local stack); leaves env-provided ones. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as typeof globalThis & { __reverieStop__?: () => Promise<void> };
  await state.__reverieStop__?.();
}
