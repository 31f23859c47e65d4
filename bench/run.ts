// `npm run bench` is the ingest benchmark (bench/ingest.ts); `npm run bench -- --soak` the soak run (bench/soak.ts).
await import(process.argv.includes('--soak') ? './soak.js' : './ingest.js');
