/**
 * socket()+close() throughput of the test family, in this process. Prints one JSON line:
 * { mode, ops_per_sec } for the tracer mode given as argv[2]: 'off' (compiled in, disabled),
 * 'on' (recording), or 'out' (compiled out: run with --import ./untrace.mjs, which makes the trace
 * points constants and sets core's compiled-out switch before core loads).
 */
const mode = process.argv[2] ?? 'off';
const built = (globalThis as { __KSOCK_TRACE_COMPILED_OUT__?: boolean }).__KSOCK_TRACE_COMPILED_OUT__;
if (mode === 'out' && built !== true) throw new Error("mode 'out' needs --import ./untrace.mjs");

const { Kernel, AF_VSOCK, SOCK_DGRAM } = await import('../src/index.js');
const { testFamily } = await import('../src/__fixtures__/af_test.js');

const kernel = new Kernel({ modules: testFamily(AF_VSOCK).module });
const task = kernel.spawn({ stdio: true });
const N = Number(process.argv[3] ?? 200_000);

function round(): number {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) task.close(task.socket(AF_VSOCK, SOCK_DGRAM, 0));
  return (N / (performance.now() - t0)) * 1000;
}

if (mode === 'on') {
  kernel.tracer.enabled = true;
  // Keep the event list from growing without bound: the cost measured is recording, not memory.
  kernel.tracer.subscribe(() => {});
}
const rates: number[] = [];
for (let r = 0; r < 7; r++) {
  rates.push(round());
  if (mode === 'on') kernel.tracer.clear();
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ mode, ops_per_sec: Math.round(rates[3]!) }));
