// `npm run demo`: the local control plane in the foreground. The operator and the example
// ModelDeployments join it as they land; until then this is `npm run cluster`.
await import('../test/cluster/run-cluster.ts');
