/**
 * Poll masks against the real kernel: src/poll/poll_probe.py built sockets into a set of states on Linux
 * 6.18 (fresh, bound, connected, refused, listening with a connection pending, after the peer's FIN or
 * RST, after each shutdown(), netlink with a message or a dump queued, /dev/null) and recorded poll()'s
 * revents for events 0xffff at each "poll" step, with the steps, in src/poll/poll-linux-6.18.json. The
 * same steps run here on ksock and every mask must be Linux's, except for the deviations listed in KNOWN
 * with their reason.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import af_inet, { INADDR_LOOPBACK, sockaddr_in } from '@ksock/af-inet';
import netlink, {
  ifinfomsg,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  nlmsg,
  RTM_GETLINK,
  sockaddr_nl,
} from '@ksock/af-netlink';
import { AF_NETLINK, Kernel, O_RDWR, SOCK_NONBLOCK, type Task } from '@ksock/core';
import { describe, expect, it } from 'vitest';

type Step = [string, string, ...number[]] | [string, string, number, string];
const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'poll/poll-linux-6.18.json'), 'utf8')) as {
  kernel: string;
  events: number;
  scenarios: Record<string, { steps: Step[]; masks: number[] }>;
};

/**
 * Scenarios whose masks ksock does not give, each with Linux's and ksock's masks and the reason. A fix
 * makes its entry fail: delete the entry then.
 */
const KNOWN: Record<string, { linux: number[]; ksock: number[]; why: string }> = {};

function run(t: Task, steps: Step[]): number[] {
  const fds = new Map<string, number>();
  const fd = (n: string) => fds.get(n)!;
  const masks: number[] = [];
  for (const step of steps) {
    const [op, name] = step;
    const a = step[2] as number;
    const b = step[3] as number;
    const tolerant = (fn: () => unknown) => {
      try {
        fn();
      } catch {
        // errors ignored, as the probe ignores them
      }
    };
    switch (op) {
      case 'socket':
        fds.set(name, t.socket(a, b | SOCK_NONBLOCK, step[4] as number));
        break;
      case 'devnull':
        fds.set(name, t.open_devnull(O_RDWR));
        break;
      case 'bind':
        t.bind(
          fd(name),
          t.getsockoptInt(fd(name), 1, 39) === AF_NETLINK ? sockaddr_nl(a) : sockaddr_in(INADDR_LOOPBACK, a),
        );
        break;
      case 'listen':
        t.listen(fd(name), a);
        break;
      case 'connect':
        tolerant(() => t.connect(fd(name), a === 0 ? new Uint8Array(16) : sockaddr_in(INADDR_LOOPBACK, a)));
        break;
      case 'accept':
        fds.set(step[2] as unknown as string, t.accept(fd(name)));
        break;
      case 'sendto':
        tolerant(() =>
          t.sendto(fd(name), new Uint8Array(b), 0, a === 0 ? null : sockaddr_in(INADDR_LOOPBACK, a)),
        );
        break;
      case 'nl_send':
        t.sendto(fd(name), nlmsg(0x10, 0, 1, 0, new Uint8Array(b)), 0, sockaddr_nl(a));
        break;
      case 'nl_getlink_dump':
        t.sendto(
          fd(name),
          nlmsg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0, ifinfomsg()),
          0,
          sockaddr_nl(0),
        );
        break;
      case 'recv':
        tolerant(() => t.recvfrom(fd(name), 65536));
        break;
      case 'setsockopt':
        t.setsockopt(fd(name), a, b, step[4] as number);
        break;
      case 'shutdown':
        tolerant(() => t.shutdown(fd(name), a));
        break;
      case 'close':
        t.close(fd(name));
        fds.delete(name);
        break;
      case 'poll':
        masks.push(t.poll([{ fd: fd(name), events: fixture.events }])[0]!);
        break;
      default:
        throw new Error(`unknown step ${op}`);
    }
  }
  for (const f of fds.values()) t.close(f);
  return masks;
}

const hex = (ms: number[]) => ms.map((m) => `0x${m.toString(16)}`);

describe(`poll masks against Linux ${fixture.kernel}`, () => {
  for (const [name, { steps, masks }] of Object.entries(fixture.scenarios)) {
    it(name, () => {
      const k = new Kernel({ modules: [af_inet, netlink] });
      const got = run(k.spawn({ uid: 0 }), steps);
      const known = KNOWN[name];
      if (known !== undefined) {
        expect(hex(masks)).toEqual(hex(known.linux));
        expect(hex(got)).toEqual(hex(known.ksock));
      } else expect(hex(got)).toEqual(hex(masks));
    });
  }
});
