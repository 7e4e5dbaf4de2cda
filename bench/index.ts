/**
 * `npm run bench [-- name…]`: runs the benchmarks (all, or the named ones) one after another. Benchmarks are not
 * tests: they print figures, which go into docs/benchmarks.md with the command that produced them.
 */
const BENCHES: Record<string, () => Promise<{ main: () => Promise<void> }>> = {
  sessions: () => import('./sessions.js'),
  upload: () => import('./upload.js'),
  ingest: () => import('./ingest.js'),
  sandbox: () => import('./sandbox.js'),
  queries: () => import('./queries.js'),
  scale: () => import('./scale.js'),
  isolation: () => import('./isolation.js'),
  databases: () => import('./databases.js'),
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(BENCHES);
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  await (await load()).main();
}
process.exit(0);
