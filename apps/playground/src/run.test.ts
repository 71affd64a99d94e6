import { PLAIN, renderTrace } from '@ksock/demo/view';
import { describe, expect, it } from 'vitest';
import { constantTable } from './families.js';
import { parseProgram } from './program.js';
import { runProgram } from './run.js';
import { SCENARIOS, scenario } from './scenarios.js';
import { demoCallEvents, demoJson, SEED_ARGS } from './testing/demo.js';

const constants = constantTable();
const run = (id: string, families?: string[]) => {
  const sc = scenario(id)!;
  return runProgram(parseProgram(sc.program, constants), families ?? [...sc.families]);
};
const text = (events: Parameters<typeof renderTrace>[0]) => renderTrace(events, PLAIN, false).join('\n');

describe('the seed scenarios', () => {
  for (const id of Object.keys(SEED_ARGS)) {
    it(`${id}: one socket() whose trace reads as the demo's for the same call`, () => {
      const r = run(id);
      expect(r.steps).toHaveLength(1);
      expect(r.steps[0]).toMatchObject({ ok: true, detail: '= 3' });
      expect(text(r.steps[0]!.events)).toBe(text(demoCallEvents(demoJson(SEED_ARGS[id]!))));
    });
  }

  it("seed-000 is also the first call of the demo's default run", () => {
    expect(text(run('seed-000').steps[0]!.events)).toBe(text(demoCallEvents(demoJson([]), '000')));
  });

  it('fails with EAFNOSUPPORT, and says why, when the family is not ticked', () => {
    const s = run('seed-004', ['af-netlink', 'af-bluetooth']).steps[0]!;
    expect(s).toMatchObject({ ok: false, code: 'EAFNOSUPPORT' });
    expect(s.why).toContain('@ksock/af-inet is not ticked');
    expect(s.events.some((e) => e.name === 'request_module' && e.errno === 'ENOENT')).toBe(true);
  });
});

describe('the other ready-made programs', () => {
  it('run every call as intended', () => {
    const results = (id: string) =>
      run(id).steps.map((s) => `${s.statement.source.replace(/\s+#.*$/, '')} ${s.detail}`);
    expect(results('tcp-loopback')).toContain('recv(conn, 16) = 5');
    expect(results('netlink-ping-pong')).toContain('recv(a, 64) = 4');
    const rm = run('rfcomm-rmmod').steps;
    expect(rm.map((s) => s.code)).toEqual([null, 'EAGAIN', null, null, 'EPERM', null]);
    expect(rm[5]!.output?.text).toContain('bluetooth');
    expect(rm[5]!.output?.text).not.toContain('rfcomm');
  });

  it('keeps, for each step, the modules and the objects as they were after it', () => {
    const steps = run('tcp-loopback').steps;
    expect(steps[0]!.objects.map((g) => g.fd)).toEqual([3]);
    expect(steps[5]!.objects.map((g) => g.fd)).toEqual([3, 4, 5]);
    expect(steps.at(-1)!.objects).toEqual([]);
    expect(steps[0]!.modulesBefore).toEqual([]);
    expect(steps[0]!.modules.map((m) => m.name)).toEqual(['af_inet']);
  });

  it('has unique ids and programs that parse', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
    for (const s of SCENARIOS) expect(() => parseProgram(s.program, constants)).not.toThrow();
  });
});
