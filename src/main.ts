// modelship's one entry point, the image's ENTRYPOINT: the operator by default; `fetch` runs the model
// fetcher of the model pods' init container (src/fetcher/main.ts); `batch` one shard of a batch scoring
// Job (src/batch-runner/main.ts); `agent` the inference agent beside a model server (src/agent/main.ts);
// `profile` and `drift` a reference profile and a drift check (src/drift-job/main.ts).
// Each loads only its own modules.
// A URI as the first argument is a fetch too (`<uri> <destination>`, KServe's storage-initializer
// contract), so the image works as any --fetcher-image, e.g. mirrored under another name.
const argv = process.argv.slice(2);
const fetchArgs = argv[0] === 'fetch' ? argv.slice(1) : /^[a-z][a-z0-9+.-]*:\/\//i.test(argv[0] ?? '') ? argv : undefined;
if (argv[0] === 'agent') {
  const { runAgent } = await import('./agent/main.ts');
  process.exitCode = await runAgent(argv.slice(1), process.env);
  // Open keep-alive sockets must not hold the process once the agent is done.
  process.exit();
} else if (argv[0] === 'batch') {
  const { runBatch } = await import('./batch-runner/main.ts');
  process.exitCode = await runBatch(argv.slice(1), process.env);
} else if (argv[0] === 'profile' || argv[0] === 'drift') {
  const { runDrift, runProfile } = await import('./drift-job/main.ts');
  process.exitCode = await (argv[0] === 'profile' ? runProfile : runDrift)(argv.slice(1), process.env);
} else if (fetchArgs !== undefined) {
  const { runFetch } = await import('./fetcher/main.ts');
  process.exitCode = await runFetch(fetchArgs, process.env);
} else {
  await import('./operator-main.ts');
}
