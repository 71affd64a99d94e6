/** The demo with @ksock/af-netlink: the netlink subcommand's NETLINK_USERSOCK exchange, byte by byte. */
import { describe, expect, it } from 'vitest';
import type { AnnotatedMessage, Report } from './report.js';
import { runNetlink } from './scenarios/netlink.js';
import { familyContext, inOrder } from './testing.js';

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
