// `npm run bench` is the ingest benchmark (bench/ingest.ts); `-- --soak` the soak run (bench/soak.ts);
// `-- --topology` collectors, writers and a query node as separate processes (bench/topology.ts).
await import(process.argv.includes('--soak') ? './soak.js' : process.argv.includes('--topology') ? './topology.js' : './ingest.js');
