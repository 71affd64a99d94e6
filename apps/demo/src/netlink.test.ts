/** The demo with @ksock/af-netlink: seed 000, the cn_proc subcommand, the netlink subcommand. */
import type { TraceEvent } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import type { AnnotatedMessage, Report } from './report.js';
import { runCnProc } from './scenarios/cn_proc.js';
import { runNetlink } from './scenarios/netlink.js';
import { runSeeds } from './scenarios/seeds.js';
import { familyContext, fnames, inOrder } from './testing.js';

const msgs = (r: Report): AnnotatedMessage[] =>
  r.sections.flatMap((s) => (s.kind === 'messages' ? s.messages : []));
const fieldOf = (m: AnnotatedMessage, name: string) => m.fields.find((f) => f.name === name)?.value;

describe('netlink subcommand: NETLINK_USERSOCK', async () => {
  const report = runNetlink(await familyContext('@ksock/af-netlink'));
  const steps = report.sections.flatMap((s) => (s.kind === 'step' ? [s] : []));

  it('opens, binds, sends and receives in both directions', () => {
    const texts = steps.map((s) => `${s.text} ${s.ok ? 'ok' : 'FAILED'} ${s.detail}`);
    expect(texts.slice(0, 8)).toEqual([
      'bob: socket(PF_NETLINK, SOCK_RAW, NETLINK_USERSOCK) ok = 3',
      'bob: bind(3, {nl_family=AF_NETLINK, nl_pid=3, nl_groups=0})  — an explicit portid ok = 0',
      'alice: bind(3, {nl_family=AF_NETLINK, nl_pid=0, nl_groups=0})  — portid 0: the kernel picks one ok = 0',
      // netlink_autobind() tries the task's tgid first
      'alice: getsockname(3) ok = {nl_family=16, nl_pid=2, nl_groups=0}',
      'alice: sendto(3, 32 bytes, 0, {nl_family=AF_NETLINK, nl_pid=3}) ok = 32',
      'bob: recvfrom(3, 8192, MSG_DONTWAIT) ok = 32, from {nl_family=16, nl_pid=2, nl_groups=0}',
      'bob: sendto(3, 36 bytes, 0, {nl_family=AF_NETLINK, nl_pid=2}) ok = 36',
      'alice: recvfrom(3, 8192, MSG_DONTWAIT) ok = 36, from {nl_family=16, nl_pid=3, nl_groups=0}',
    ]);
  });

  it('delivers the bytes unchanged and annotates each field', () => {
    const [sent, received, reply, replyReceived] = msgs(report);
    expect(received!.hex).toBe(sent!.hex);
    expect(replyReceived!.hex).toBe(reply!.hex);
    expect(sent!.hex).toBe(
      `20000000${'1000'}${'0100'}01000000${'02000000'}${Buffer.from('hello from alice').toString('hex')}`,
    );
    expect(received!.fields.map((f) => [f.offset, f.length, f.name, f.value])).toEqual([
      [0, 4, 'nlmsghdr.nlmsg_len', '32'],
      [4, 2, 'nlmsghdr.nlmsg_type', '16 (user type 0x10)'],
      [6, 2, 'nlmsghdr.nlmsg_flags', '0x1 (NLM_F_REQUEST)'],
      [8, 4, 'nlmsghdr.nlmsg_seq', '1'],
      [12, 4, 'nlmsghdr.nlmsg_pid', '2'],
      [16, 16, 'payload', '"hello from alice"'],
    ]);
    expect(fieldOf(replyReceived!, 'payload')).toBe('"hello back from bob"');
  });

  it('traces the send through netlink_unicast to the lookup of the receiver', () => {
    const send = steps.find((s) => s.text.startsWith('alice: sendto'))!;
    const names = send.events!.filter((e) => !e.note).map((e) => e.name);
    expect(
      inOrder(names, [
        '__sys_sendto',
        'sock_sendmsg',
        'netlink_sendmsg',
        'netlink_unicast',
        'netlink_lookup',
      ]),
    ).toEqual({
      missing: null,
    });
  });
});

describe('netlink subcommand: RTM_GETLINK dump over NETLINK_ROUTE', async () => {
  const report = runNetlink(await familyContext('@ksock/af-netlink'));
  const dump = report.sections.filter((s) => s.kind === 'messages').pop();
  if (dump?.kind !== 'messages') throw new Error('no dump');
  const [request, lo, done] = dump.messages;

  it('autoloads rtnetlink on the NETLINK_ROUTE socket', () => {
    expect(report.exitCode).toBe(0);
    const call = report.sections.flatMap((s) => (s.kind === 'call' ? [s.call] : [])).pop()!;
    expect(call.c).toBe('socket(PF_NETLINK, SOCK_RAW, NETLINK_ROUTE)');
    expect(call.autoloaded).toEqual(['rtnetlink']);
    expect(
      call.events.find((e) => e.name === 'request_module' && e.args === '"net-pf-16-proto-0"')?.ret,
    ).toBe(0);
  });

  it('annotates the request as iproute2 sends it', () => {
    expect(request!.hex).toBe(`20000000120001030100000000000000${'00'.repeat(16)}`);
    expect(fieldOf(request!, 'nlmsghdr.nlmsg_flags')).toBe('0x301 (NLM_F_REQUEST|NLM_F_DUMP)');
  });

  it('decodes the loopback link and the end of the dump', () => {
    expect(dump.messages).toHaveLength(3);
    expect(fieldOf(lo!, 'nlmsghdr.nlmsg_type')).toBe('16 (RTM_NEWLINK)');
    expect(fieldOf(lo!, 'nlmsghdr.nlmsg_flags')).toBe('0x2 (NLM_F_MULTI)');
    expect(fieldOf(lo!, 'ifinfomsg.ifi_index')).toBe('1');
    expect(fieldOf(lo!, 'ifinfomsg.ifi_type')).toBe('772 (ARPHRD_LOOPBACK)');
    expect(fieldOf(lo!, 'ifinfomsg.ifi_flags')).toMatch(/^0x[0-9a-f]+ \(IFF_UP\|IFF_LOOPBACK\|IFF_RUNNING/);
    expect(fieldOf(lo!, 'IFLA_IFNAME value')).toBe('"lo"');
    expect(fieldOf(lo!, 'IFLA_MTU value')).toBe('65536');
    expect(fieldOf(lo!, 'IFLA_ADDRESS value')).toBe('00:00:00:00:00:00');
    // every byte of the message is inside some annotated field's range or attribute padding
    const len = lo!.hex.length / 2;
    const last = lo!.fields[lo!.fields.length - 1]!;
    expect(last.offset + last.length).toBeLessThanOrEqual(len);
    expect(len - (last.offset + last.length)).toBeLessThan(4);
    expect(fieldOf(done!, 'nlmsghdr.nlmsg_type')).toBe('3 (NLMSG_DONE)');
    expect(fieldOf(done!, 'int (dump status)')).toBe('0');
  });
});

/** The direct children of the event at `i` (one level deeper, until the call returns). */
function children(events: readonly TraceEvent[], i: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  const d = events[i]!.depth;
  for (let j = i + 1; j < events.length && events[j]!.depth > d; j++)
    if (events[j]!.depth === d + 1 && !events[j]!.note) out.push(events[j]!);
  return out;
}

describe('seed 000: socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)', async () => {
  const ctx = await familyContext('@ksock/af-netlink');
  const c = runSeeds(ctx)
    .sections.flatMap((s) => (s.kind === 'call' ? [s.call] : []))
    .find((x) => x.seed === '000')!;

  it('succeeds, autoloading af_netlink and then the connector', () => {
    expect(c.result).toMatchObject({ ok: true, fd: 3 });
    expect(c.autoloaded).toEqual(['af_netlink', 'cn']);
    expect(c.events.filter((e) => e.name === 'request_module').map((e) => [e.args, e.ret])).toEqual([
      ['"net-pf-16"', 0],
      ['"net-pf-16-proto-11"', 0],
    ]);
  });

  it("traces the functions seed 000 names, in the seed's order", () => {
    const want = [
      '__sys_socket',
      'sock_create',
      '__sock_create',
      'sock_alloc',
      'sock_alloc_inode',
      'netlink_create',
      '__netlink_create',
      'sk_alloc',
      'sock_init_data',
      'sock_map_fd',
      'sock_alloc_file',
      'alloc_file_pseudo',
      'fd_install',
    ];
    expect(inOrder(fnames(c.events), want)).toEqual({ missing: null });
    // The user socket's own path, not the kernel socket the connector creates while loading:
    // pf->create is netlink_create under __sock_create, and its __netlink_create does sk_alloc then
    // sock_init_data.
    const sc = c.events.findIndex((e) => e.name === '__sock_create');
    expect(children(c.events, sc).map((e) => e.name)).toEqual(
      expect.arrayContaining(['sock_alloc', 'request_module', 'netlink_create']),
    );
    const nc = c.events.findIndex((e) => e.name === 'netlink_create');
    const kids = children(c.events, nc).map((e) => e.name);
    expect(inOrder(kids, ['request_module', 'try_module_get', '__netlink_create'])).toEqual({
      missing: null,
    });
    const own = c.events.findIndex(
      (e, i) => i > nc && e.name === '__netlink_create' && e.depth === c.events[nc]!.depth + 1,
    );
    expect(children(c.events, own).map((e) => e.name)).toEqual(['sk_alloc', 'sock_init_data']);
  });

  it('shows the netlink_sock with sk_protocol set from the protocol argument', () => {
    const box = (id: string) => c.objects!.boxes.find((b) => b.id === id)!;
    const val = (id: string, name: string) => box(id).fields.find((f) => f.name === name)?.value;
    expect(val('sock', 'sk_protocol')).toBe('11 (NETLINK_CONNECTOR)');
    expect(val('sock', 'sk_prot')).toBe('&NETLINK proto (obj_size 1096)');
    expect(val('sock', 'sk_socket')).toMatch(/^socket ino \d+$/);
    expect(val('file', 'dentry name')).toBe('"NETLINK"');
    expect(box('family_sock').type).toBe('struct netlink_sock');
    const seeded = box('family_sock')
      .fields.filter((f) => f.seed)
      .map((f) => f.name);
    expect(seeded).toEqual(
      expect.arrayContaining([
        'portid',
        'dst_portid',
        'dst_group',
        'groups',
        'netlink_rcv',
        'netlink_bind',
        'module',
      ]),
    );
    expect(val('family_sock', 'module')).toBe('module cn');
    expect(c.objects!.boxes.filter((b) => b.type === 'struct module').map((b) => b.label)).toEqual([
      'af_netlink',
      'cn',
    ]);
    expect(c.modulesAfter.map((m) => [m.name, m.usedBy])).toEqual([
      ['cn', []],
      ['af_netlink', ['cn']],
    ]);
  });
});

describe('cn_proc subcommand', async () => {
  const report = runCnProc(await familyContext('@ksock/af-netlink'));
  const events = report.sections.flatMap((s) => (s.kind === 'events' ? s.rows : []));

  it('subscribes and receives every process event of the workload, decoded from the bytes', () => {
    expect(report.exitCode).toBe(0);
    expect(events.map((e) => e.text)).toEqual([
      'ack of the subscription: err 0',
      'parent pid 1 forked child pid 3 (tgid 3)',
      'parent pid 3 forked child pid 4 (tgid 4)',
      "pid 4 exec'd a new program",
      'pid 4 changed uid: ruid 1000, euid 1000',
      'pid 4 exited: exit_code 768 (status 3), exit_signal 17, parent 3',
    ]);
    expect(events.every((e) => e.bytes === 76)).toBe(true); // nlmsghdr 16 + cn_msg 20 + proc_event 40
    expect(events[2]!.fields).toEqual([
      ['parent_pid', 3],
      ['parent_tgid', 3],
      ['child_pid', 4],
      ['child_tgid', 4],
    ]);
  });

  it('shows each step succeeding and nothing after PROC_CN_MCAST_IGNORE', () => {
    const steps = report.sections.flatMap((s) => (s.kind === 'step' ? [`${s.text} ${s.detail}`] : []));
    expect(steps).toEqual([
      'cn_proc_demo[2]: bind(3, {nl_family=AF_NETLINK, nl_pid=2, nl_groups=CN_IDX_PROC}) = 0',
      'cn_proc_demo[2]: send(3, 40 bytes, 0)  — to the kernel (portid 0) = 40',
      'sh[3]: fork() = 4',
      'sh[4]: execve("/usr/bin/id", ["id"]) = 0',
      'id[4]: setuid(1000) = 0',
      'id[4]: exit(3) = 0',
      'sh[3]: waitpid(4) = 4, status 0x300',
      'cn_proc_demo[2]: send(3, 40 bytes, 0)  — PROC_CN_MCAST_IGNORE = 40',
      'cn_proc_demo[2]: close(3) = 0',
    ]);
    const reads = report.sections.flatMap((s) => (s.kind === 'events' ? [s.title] : []));
    expect(reads[reads.length - 1]).toBe('cn_proc_demo reads: nothing');
  });

  it('annotates the subscription and the events byte by byte', () => {
    const [sub, ack, fork] = msgs(report);
    expect(sub!.hex).toBe('28000000030000000000000002000000010000000100000000000000000000000400000001000000');
    expect(sub!.fields.find((f) => f.name === 'op')?.value).toBe('1 (PROC_CN_MCAST_LISTEN)');
    expect(ack!.title).toMatch(/^PROC_EVENT_NONE/);
    expect(fork!.fields.find((f) => f.name === 'proc_event.what')?.value).toBe('0x1 (PROC_EVENT_FORK)');
    expect(fork!.fields.find((f) => f.name === 'event_data.fork.child_pid')).toEqual({
      offset: 60,
      length: 4,
      name: 'event_data.fork.child_pid',
      value: '3',
      depth: 0,
    });
  });
});
