/** The demo with @ksock/af-inet: seed 004's socket(PF_INET, SOCK_STREAM, 0). */
import { describe, expect, it } from 'vitest';
import { parseProtocol, parseSocketArgs } from './args.js';
import type { CallReport, ObjectBox } from './report.js';
import { runSeeds } from './scenarios/seeds.js';
import { runTrace } from './scenarios/trace.js';
import { familyContext, fnames, inOrder } from './testing.js';

const box = (c: CallReport, id: string): ObjectBox => c.objects!.boxes.find((b) => b.id === id)!;
const field = (b: ObjectBox, name: string) => b.fields.find((f) => f.name === name);

describe('seed 004: socket(PF_INET, SOCK_STREAM, 0)', async () => {
  const ctx = await familyContext('@ksock/af-inet');
  const report = runSeeds(ctx);
  const c = report.sections
    .flatMap((s) => (s.kind === 'call' ? [s.call] : []))
    .find((x) => x.seed === '004')!;

  it('succeeds, autoloading af_inet', () => {
    expect(c.result).toMatchObject({ ok: true, fd: 3 });
    expect(c.autoloaded).toEqual(['af_inet']);
    expect(c.modulesBefore).toEqual([]);
    expect(c.modulesAfter).toEqual([{ name: 'af_inet', refcnt: 2, state: 'Live', usedBy: [] }]);
  });

  it("traces the functions seed 004 names, in the seed's order", () => {
    const want = [
      '__sys_socket',
      'sock_create',
      '__sock_create',
      'sock_alloc',
      'inet_create',
      'sk_alloc',
      'sock_init_data',
      'tcp_v4_init_sock',
      'tcp_init_sock',
      'sock_map_fd',
      'sock_alloc_file',
      'fd_install',
    ];
    expect(inOrder(fnames(c.events), want)).toEqual({ missing: null });
    const at = (n: string) => c.events.find((e) => e.name === n)!;
    // tcp_init_sock runs inside tcp_v4_init_sock (sk->sk_prot->init), which inet_create calls.
    expect(at('tcp_init_sock').depth).toBeGreaterThan(at('tcp_v4_init_sock').depth);
    expect(at('tcp_v4_init_sock').depth).toBeGreaterThan(at('inet_create').depth);
  });

  it('shows the tcp_sock with the fields seed 004 lists', () => {
    const sk = box(c, 'sock');
    expect(field(sk, 'sk_protocol')?.value).toBe('6 (IPPROTO_TCP)');
    expect(field(sk, 'sk_state')?.value).toBe('7 (TCP_CLOSE)');
    expect(field(sk, 'sk_prot')?.value).toMatch(/^&TCP proto/);
    expect(field(sk, 'sk_write_space')).toEqual({
      name: 'sk_write_space',
      value: 'sk_stream_write_space()',
      seed: true,
    });
    expect(field(sk, 'sk_destruct')?.value).toBe('inet_sock_destruct()');
    expect(field(sk, 'sk_timer')?.value).toBe('timer → tcp_keepalive_timer()');
    const tcp = box(c, 'family_sock');
    expect(tcp.type).toBe('struct tcp_sock');
    expect(tcp.label).toBe('tcp_sock ⊃ inet_connection_sock ⊃ inet_sock');
    const seeded = Object.fromEntries(tcp.fields.filter((f) => f.seed).map((f) => [f.name, f.value]));
    expect(seeded).toMatchObject({
      is_icsk: 'true',
      uc_ttl: '-1',
      mc_ttl: '1',
      icsk_af_ops: '&ipv4_specific',
      icsk_rto: '1000',
      icsk_retransmit_timer: 'timer → tcp_write_timer()',
      icsk_delack_timer: 'timer → tcp_delack_timer()',
      out_of_order_queue: 'queue, qlen 0',
      snd_cwnd: '10',
      mss_cache: '536',
    });
    // the seed-named fields come first
    expect(tcp.fields.findIndex((f) => !f.seed)).toBe(Object.keys(seeded).length);
  });
});

describe('trace subcommand with af-inet', async () => {
  const ctx = await familyContext('@ksock/af-inet');

  it('takes IPPROTO_* names from the package', () => {
    expect(parseProtocol(ctx.names, 'IPPROTO_UDP')).toBe(17);
    expect(parseProtocol(ctx.names, 'ipproto_tcp')).toBe(6);
    expect(() => parseProtocol(ctx.names, 'IPPROTO_UPD')).toThrow(/did you mean IPPROTO_UDP\?/);
  });

  it('traces a UDP socket with flags', () => {
    const r = runTrace(
      ctx,
      parseSocketArgs(ctx.names, ['AF_INET', 'SOCK_DGRAM|SOCK_CLOEXEC', 'IPPROTO_UDP']),
    );
    expect(r.exitCode).toBe(0);
    const call = r.sections.find((s) => s.kind === 'call')!;
    if (call.kind !== 'call') throw new Error('no call');
    expect(call.call.c).toBe('socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_UDP)');
    expect(call.call.events[0]).toMatchObject({
      name: '__sys_socket',
      args: 'family=2, type=0x80002, protocol=17',
      ret: 3,
    });
    expect(field(box(call.call, 'fdtable'), 'close_on_exec')?.value).toBe('bit 3 set');
    expect(box(call.call, 'family_sock').type).toBe('struct udp_sock');
  });

  it('shows where a failing call failed', () => {
    const r = runTrace(ctx, parseSocketArgs(ctx.names, ['AF_INET', 'SOCK_STREAM', 'IPPROTO_UDP']));
    expect(r.exitCode).toBe(1);
    const call = r.sections.find((s) => s.kind === 'call');
    if (call?.kind !== 'call') throw new Error('no call');
    expect(call.call.result).toMatchObject({ ok: false, code: 'EPROTONOSUPPORT', errno: 93 });
    const notes = r.sections.flatMap((s) => (s.kind === 'note' ? [s.text] : []));
    expect(notes[0]).toMatch(/^The call failed in inet_create\(\), which returned -93 \(EPROTONOSUPPORT/);
  });
});

describe('trace subcommand given numbers', async () => {
  const ctx = await familyContext('@ksock/af-inet');
  it('writes the call back with names', () => {
    const r = runTrace(ctx, parseSocketArgs(ctx.names, ['2', '0x80001', '6']));
    const call = r.sections.find((s) => s.kind === 'call');
    if (call?.kind !== 'call') throw new Error('no call');
    expect(call.call.c).toBe('socket(2, 524289, 6)');
    expect(call.call.named).toBe('socket(PF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_TCP)');
  });
});
