// Loaded into every test process (--import): a TimeoutOverflowWarning means some delay went past Node's
// 32-bit timer limit and fired at once (the hot loop src/kube/timer-delay.ts prevents), so the test file
// that caused it fails, naming the delay.
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutOverflowWarning') return;
  process.stderr.write(`TimeoutOverflowWarning in a test process: ${warning.message}\n${warning.stack ?? ''}\n`);
  process.exitCode = 1;
});
