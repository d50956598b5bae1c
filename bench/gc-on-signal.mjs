// Preloaded into the twin by `npm run soak` only (with --expose-gc): SIGUSR2 runs a full garbage
// collection, so the soak compares memory at the same point of V8's collection cycle, not at
// whatever height the heap's sawtooth happened to be.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});
