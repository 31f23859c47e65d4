// `npm run bench` is the ingest benchmark (bench/ingest.ts); `-- --table` the stage ceilings beside it for
// every surface (bench/table.ts); `-- --soak` the soak run (bench/soak.ts); `-- --topology` collectors,
// writers and a query node as separate processes (bench/topology.ts).
const flag = ['--table', '--soak', '--topology'].find((f) => process.argv.includes(f));
await import(flag === '--table' ? './table.js' : flag === '--soak' ? './soak.js' : flag === '--topology' ? './topology.js' : './ingest.js');
