import { CAP_NET_ADMIN, type Kernel, MSG_DONTWAIT, SOCK_DGRAM, type Task } from '@ksock/core';
import { describe, expect, it } from 'vitest';
import fixture from './__fixtures__/linux-6.18-cn_proc.json' with { type: 'json' };
import { bindnl, boot, modref, nlsocket } from './__fixtures__/test_util.js';
import {
  CN_IDX_PROC,
  CN_VAL_PROC,
  cn_add_callback,
  cn_netlink_send,
  decode_cn_msg,
  decode_proc_event,
  encode_cn_msg,
  PROC_CN_MCAST_IGNORE,
  PROC_CN_MCAST_LISTEN,
  PROC_EVENT_COMM,
  PROC_EVENT_EXEC,
  PROC_EVENT_EXIT,
  PROC_EVENT_FORK,
  PROC_EVENT_GID,
  PROC_EVENT_NONE,
  PROC_EVENT_NONZERO_EXIT,
  PROC_EVENT_SID,
  PROC_EVENT_UID,
  proc_event_num_listeners,
} from './connector.js';
import {
  decode_sockaddr_nl,
  NETLINK_CONNECTOR,
  NLMSG_DONE,
  nlmsg,
  nlmsg_parse,
  sockaddr_nl,
  u32_bytes,
} from './uapi.js';

const err = (code: string) => expect.objectContaining({ code });
const hex = (s: string) => Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));

/** The LISTEN/IGNORE request of the cn_proc demo: nlmsghdr + cn_msg + the op (or a proc_input). */
function mcast_req(t: Task, op: number, seq = 0, ack = 0, mask?: number): Uint8Array {
  const data = mask === undefined ? u32_bytes(op) : Uint8Array.of(...u32_bytes(op), ...u32_bytes(mask));
  return nlmsg(
    NLMSG_DONE,
    0,
    seq,
    t.pid,
    encode_cn_msg({ idx: CN_IDX_PROC, val: CN_VAL_PROC, seq, ack, flags: 0, data }),
  );
}

function events(t: Task, fd: number) {
  const out: Array<{ what: number; data: number[]; ack: number; seq: number; comm?: string }> = [];
  for (;;) {
    let d: Uint8Array;
    try {
      d = t.recvfrom(fd, 4096, MSG_DONTWAIT).data;
    } catch {
      return out;
    }
    const [m] = nlmsg_parse(d);
    const cn = decode_cn_msg(m!.payload);
    const ev = decode_proc_event(cn.data);
    out.push({ what: ev.what, data: ev.data, ack: cn.ack, seq: cn.seq, comm: ev.comm });
  }
}

/**
 * The cn_proc demo program (seed 000): socket(PF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR), bind to
 * CN_IDX_PROC with its pid, PROC_CN_MCAST_LISTEN, then print every event it receives.
 */
function cn_proc_demo(t: Task): { fd: number; handle: () => string[] } {
  const nl_sock = t.socket(16 /* PF_NETLINK */, SOCK_DGRAM, NETLINK_CONNECTOR);
  t.bind(nl_sock, sockaddr_nl(t.getpid(), CN_IDX_PROC));
  t.sendto(nl_sock, mcast_req(t, PROC_CN_MCAST_LISTEN));
  const handle = (): string[] => {
    const lines: string[] = [];
    for (;;) {
      let d: Uint8Array;
      try {
        d = t.recvfrom(nl_sock, 1024, MSG_DONTWAIT).data;
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') return lines;
        throw e;
      }
      const cn = decode_cn_msg(nlmsg_parse(d)[0]!.payload);
      const ev = decode_proc_event(cn.data);
      const w = ev.data;
      switch (ev.what) {
        case PROC_EVENT_NONE:
          lines.push('set mcast listen ok');
          break;
        case PROC_EVENT_FORK:
          lines.push(`fork: parent tid=${w[0]} pid=${w[1]} -> child tid=${w[2]} pid=${w[3]}`);
          break;
        case PROC_EVENT_EXEC:
          lines.push(`exec: tid=${w[0]} pid=${w[1]}`);
          break;
        case PROC_EVENT_UID:
          lines.push(`uid change: tid=${w[0]} pid=${w[1]} from ${w[2]} to ${w[3]}`);
          break;
        case PROC_EVENT_GID:
          lines.push(`gid change: tid=${w[0]} pid=${w[1]} from ${w[2]} to ${w[3]}`);
          break;
        case PROC_EVENT_EXIT:
          lines.push(`exit: tid=${w[0]} pid=${w[1]} exit_code=${w[2]}`);
          break;
        default:
          lines.push(`unhandled proc event ${ev.what}`);
      }
    }
  };
  return { fd: nl_sock, handle };
}

describe('the cn_proc demo of seed 000, end to end', () => {
  it('autoloads af_netlink and cn, then reports the processes an unprivileged listener sees', () => {
    const k = boot();
    const me = k.spawn({ uid: 1000, comm: 'cn_proc_demo' });
    const tr = k.trace(() => cn_proc_demo(me));
    expect(tr.error).toBeUndefined();
    const rms = tr.events.filter((e) => e.name === 'request_module').map((e) => e.args);
    expect(rms).toEqual(['"net-pf-16"', '"net-pf-16-proto-11"']);
    expect(k.modules.list().map((m) => m.name)).toEqual(['cn', 'af_netlink']);
    const { fd, handle } = tr.result!;
    const sh = k.spawn({ uid: 1000, comm: 'sh' });
    const child = sh.fork();
    child.execve('/bin/true');
    child.exit(0);
    sh.waitpid(child.pid);
    const root = k.spawn({ comm: 'su' });
    root.setuid(1000);
    expect(handle()).toEqual([
      'set mcast listen ok',
      `fork: parent tid=1 pid=1 -> child tid=${sh.pid} pid=${sh.pid}`,
      `fork: parent tid=${sh.pid} pid=${sh.pid} -> child tid=${child.pid} pid=${child.pid}`,
      `exec: tid=${child.pid} pid=${child.pid}`,
      `exit: tid=${child.pid} pid=${child.pid} exit_code=0`,
      `fork: parent tid=1 pid=1 -> child tid=${root.pid} pid=${root.pid}`,
      `uid change: tid=${root.pid} pid=${root.pid} from 1000 to 1000`,
    ]);
    me.close(fd);
    expect(modref(k, 'cn')).toBe(0);
  });
});

describe('cn_proc bytes', () => {
  it('match the real kernel’s ack, fork and exit messages (pids and timestamps aside)', () => {
    const k = boot();
    const me = k.spawn({ uid: 1000 });
    const fd = nlsocket(me, NETLINK_CONNECTOR);
    bindnl(me, fd, me.pid, CN_IDX_PROC);
    me.sendto(fd, mcast_req(me, PROC_CN_MCAST_LISTEN, 5, 7));
    const child = me.fork();
    child.exit(3);
    me.waitpid(child.pid);
    const got: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const r = me.recvfrom(fd, 4096);
      expect(decode_sockaddr_nl(r.addr!)).toMatchObject({ nl_pid: 0, nl_groups: 1 });
      got.push(r.data);
    }
    const lp = fixture.listener_pid;
    const cp = fixture.child_pid;
    fixture.msgs.forEach((m, i) => {
      expect(m.addr).toEqual([0, 1]);
      const real = hex(m.hex);
      const dv = new DataView(real.buffer);
      // Substitute pids: the real listener/child → ours; zero the timestamps.
      for (let off = 52; off < 76; off += 4) {
        const v = dv.getUint32(off, true);
        if (v === lp) dv.setUint32(off, me.pid, true);
        else if (v === cp) dv.setUint32(off, child.pid, true);
      }
      const ours = got[i]!.slice();
      ours.fill(0, 44, 52);
      real.fill(0, 44, 52);
      expect(ours).toEqual(real);
    });
  });
});

describe('connector', () => {
  function listener(k: Kernel, uid = 1000) {
    const t = k.spawn({ uid });
    const fd = nlsocket(t, NETLINK_CONNECTOR);
    bindnl(t, fd, 0, CN_IDX_PROC);
    return { t, fd };
  }

  it('lists callbacks in /proc/net/connector', () => {
    const k = boot();
    const { t } = listener(k);
    expect(k.proc.read('/proc/net/connector', t)).toBe('Name            ID\ncn_proc         1:1\n');
  });

  it('lets unprivileged users join odd groups only (cn_bind quirk)', () => {
    const k = boot();
    const t = k.spawn({ uid: 1000 });
    const fd = nlsocket(t, NETLINK_CONNECTOR);
    expect(() => bindnl(t, fd, 0, 0b10)).toThrow(err('EPERM'));
    bindnl(t, fd, 0, 0b100);
    const a = k.spawn({ uid: 1000, caps: [CAP_NET_ADMIN] });
    const fd2 = nlsocket(a, NETLINK_CONNECTOR);
    bindnl(a, fd2, 0, 0b10);
  });

  it('filters by the proc_input mask; acks reach only ALL-mask and state-less members', () => {
    const k = boot();
    const all = listener(k);
    const execOnly = listener(k);
    const silent = listener(k);
    all.t.sendto(all.fd, mcast_req(all.t, PROC_CN_MCAST_LISTEN, 1, 1));
    execOnly.t.sendto(execOnly.fd, mcast_req(execOnly.t, PROC_CN_MCAST_LISTEN, 2, 2, PROC_EVENT_EXEC));
    const w = k.spawn({ uid: 1000 });
    w.execve('/bin/ls');
    expect(events(all.t, all.fd).map((e) => [e.what, e.ack])).toEqual([
      [PROC_EVENT_NONE, 2],
      [PROC_EVENT_NONE, 3],
      [PROC_EVENT_FORK, 0],
      [PROC_EVENT_EXEC, 0],
    ]);
    // The first ack came while execOnly had no state yet (delivered); its own ack (what 0) is filtered.
    expect(events(execOnly.t, execOnly.fd).map((e) => [e.what, e.ack])).toEqual([
      [PROC_EVENT_NONE, 2],
      [PROC_EVENT_EXEC, 0],
    ]);
    // Never sent LISTEN: gets everything while someone else keeps events on.
    expect(events(silent.t, silent.fd).map((e) => e.what)).toEqual([
      PROC_EVENT_NONE,
      PROC_EVENT_NONE,
      PROC_EVENT_FORK,
      PROC_EVENT_EXEC,
    ]);
    expect(proc_event_num_listeners(k)).toBe(2);
  });

  it('NONZERO_EXIT passes only failing exits; sid, gid and comm events are encoded', () => {
    const k = boot();
    const l = listener(k);
    l.t.sendto(l.fd, mcast_req(l.t, PROC_CN_MCAST_LISTEN, 0, 0, PROC_EVENT_NONZERO_EXIT | PROC_EVENT_SID));
    const a = k.spawn({ uid: 1000 });
    const b = k.spawn({ uid: 1000 });
    const c = a.fork();
    c.setsid();
    a.exit(0);
    b.exit(2);
    const ev = events(l.t, l.fd);
    expect(ev.map((e) => [e.what, e.data[0]])).toEqual([
      [PROC_EVENT_SID, c.pid],
      [PROC_EVENT_EXIT, b.pid],
    ]);
    expect(ev[1]!.data).toEqual([b.pid, b.pid, 512, 17, 1, 1]);
    // GID and COMM through an ALL listener.
    const l2 = listener(k);
    l2.t.sendto(l2.fd, mcast_req(l2.t, PROC_CN_MCAST_LISTEN));
    const r = k.spawn({ comm: 'x' });
    r.setgid(55);
    const e2 = events(l2.t, l2.fd).filter((e) => e.what === PROC_EVENT_GID || e.what === PROC_EVENT_COMM);
    expect(e2.map((e) => [e.what, ...e.data.slice(0, 4)])).toEqual([[PROC_EVENT_GID, r.pid, r.pid, 55, 55]]);
  });

  it('IGNORE that drops the count to 0 sends no ack; a bad op is acked with EINVAL; odd lengths are ignored', () => {
    const k = boot();
    const l = listener(k);
    l.t.sendto(l.fd, mcast_req(l.t, 7));
    // Nobody listens yet (op 7 is neither LISTEN nor IGNORE): no ack at all.
    expect(events(l.t, l.fd)).toEqual([]);
    l.t.sendto(l.fd, mcast_req(l.t, PROC_CN_MCAST_LISTEN));
    l.t.sendto(l.fd, mcast_req(l.t, 7, 0, 4));
    const e = events(l.t, l.fd);
    expect(e.map((x) => [x.what, x.data[0], x.ack])).toEqual([
      [PROC_EVENT_NONE, 0, 1],
      [PROC_EVENT_NONE, 22, 5],
    ]);
    // The stored op is now 7: LISTEN again counts once more.
    l.t.sendto(l.fd, mcast_req(l.t, PROC_CN_MCAST_LISTEN));
    expect(proc_event_num_listeners(k)).toBe(2);
    l.t.sendto(l.fd, mcast_req(l.t, PROC_CN_MCAST_IGNORE));
    expect(proc_event_num_listeners(k)).toBe(1);
    const odd = nlmsg(
      NLMSG_DONE,
      0,
      0,
      0,
      encode_cn_msg({ idx: 1, val: 1, seq: 0, ack: 0, flags: 0, data: new Uint8Array(6) }),
    );
    l.t.sendto(l.fd, odd);
    expect(proc_event_num_listeners(k)).toBe(1);
  });

  it('leaks the listener count when a LISTENer closes without IGNORE (as Linux does)', () => {
    const k = boot();
    const l = listener(k);
    l.t.sendto(l.fd, mcast_req(l.t, PROC_CN_MCAST_LISTEN));
    l.t.close(l.fd);
    expect(proc_event_num_listeners(k)).toBe(1);
    expect(modref(k, 'cn')).toBe(0);
    // cn uses af_netlink (1), its kernel socket pins the ops (1) and the proto (1).
    expect(modref(k, 'af_netlink')).toBe(3);
    k.modules.unload('cn');
    expect(modref(k, 'af_netlink')).toBe(0);
  });

  it('drops malformed and unknown messages silently, and runs third-party callbacks', () => {
    const k = boot();
    const l = listener(k);
    const seen: number[] = [];
    expect(cn_add_callback(k, 0x42, 1, 'test', (m, nsp) => seen.push(m.seq, nsp.portid))).toBe(0);
    expect(cn_add_callback(k, 0x42, 1, 'dup', () => {})).toBeLessThan(0);
    const msg = (idx: number, len?: number) =>
      nlmsg(
        NLMSG_DONE,
        0,
        0,
        0,
        encode_cn_msg({ idx, val: 1, seq: 9, ack: 0, flags: 0, data: new Uint8Array(4), len }),
      );
    expect(l.t.sendto(l.fd, msg(0x42))).toBe(40);
    expect(l.t.sendto(l.fd, msg(0x43))).toBe(40);
    expect(l.t.sendto(l.fd, msg(0x42, 100))).toBe(40);
    expect(l.t.sendto(l.fd, new Uint8Array(10))).toBe(10);
    const portid = decode_sockaddr_nl(l.t.getsockname(l.fd)).nl_pid;
    expect(seen).toEqual([9, portid]);
    expect(k.proc.read('/proc/net/connector', l.t)).toBe(
      'Name            ID\ncn_proc         1:1\ntest            66:1\n',
    );
    // cn_netlink_send: to the callback's group, ESRCH without listeners there.
    expect(
      cn_netlink_send(
        k,
        { idx: 0x42, val: 1, seq: 1, ack: 0, len: 0, flags: 0, data: new Uint8Array(0) },
        0,
        0,
      ),
    ).toBe(-3);
  });

  it('creates connector sockets in other namespaces, but only init_net has the kernel socket', () => {
    const k = boot();
    const t = k.spawn();
    t.unshare(0x40000000);
    const fd = nlsocket(t, NETLINK_CONNECTOR);
    expect(() => t.sendto(fd, mcast_req(t, PROC_CN_MCAST_LISTEN))).toThrow(err('ECONNREFUSED'));
  });
});

describe('/proc/net/connector', () => {
  it('exists in init_net only, as cn_init() creates it there', async () => {
    const { Kernel, CLONE_NEWNET, AF_NETLINK, SOCK_DGRAM } = await import('@ksock/core');
    const mods = (await import('./index.js')).default;
    const k = new Kernel({ modules: mods });
    const t = k.spawn({});
    t.close(t.socket(AF_NETLINK, SOCK_DGRAM, 11));
    expect(k.proc.read('/proc/net/connector', t)).toMatch(/^Name\s+ID\n/);
    t.unshare(CLONE_NEWNET);
    expect(() => k.proc.read('/proc/net/connector', t)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
