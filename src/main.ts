// modelship's one entry point, the image's ENTRYPOINT: the operator by default; `fetch` runs the model
// fetcher of the model pods' init container (src/fetcher/main.ts). Each loads only its own modules.
const [command, ...rest] = process.argv.slice(2);
if (command === 'fetch') {
  const { runFetch } = await import('./fetcher/main.ts');
  process.exitCode = await runFetch(rest, process.env);
} else {
  await import('./operator-main.ts');
}
