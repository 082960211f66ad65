import fc from 'fast-check';

// Property tests explore new random cases on every local run (that is how they find bugs), but
// CI must judge a submission on the same cases every time: under CI=true the seed is fixed.
// FC_SEED reproduces a reported failure; FC_NUM_RUNS runs a deeper hunt (e.g. 20000).
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI === 'true' ? 20_261_122 : undefined;
const numRuns = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : undefined;
fc.configureGlobal({ ...(seed !== undefined ? { seed } : {}), ...(numRuns !== undefined ? { numRuns } : {}) });
