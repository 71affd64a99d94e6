/**
 * The operations compared, with the modules each needs on the ksock side, the arguments of both sides and
 * the target from issue 8. Numbers here are Linux ABI values (the same on both sides).
 */

export const AF_INET = 2;
export const AF_NETLINK = 16;
export const AF_BLUETOOTH = 31;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const NETLINK_ROUTE = 0;
export const NETLINK_USERSOCK = 2;
export const NETLINK_CONNECTOR = 11;
export const BTPROTO_RFCOMM = 3;

/** What one ksock worker process measures. */
export type KsockSpec =
  | { kind: 'fcntl' }
  | { kind: 'socket_close'; family: number; type: number; protocol: number }
  | { kind: 'unicast'; payload: number; batch: number }
  | { kind: 'multicast'; members: number; payload: number }
  | { kind: 'dump' }
  | { kind: 'many'; count: number; block: number }
  | { kind: 'tracer'; mode: TracerMode; family: number; type: number; protocol: number };

export type TracerMode = 'out' | 'off' | 'on';

export type Target =
  /** ksock at least `value` times Linux's rate. */
  | { kind: 'min_ratio'; value: number }
  /** ksock's figure at most `value` (in the row's unit). */
  | { kind: 'max_value'; value: number; unit: string }
  /** ksock's figure at least `value`. */
  | { kind: 'min_value'; value: number; unit: string };

export interface RateOp {
  id: string;
  label: string;
  /** Module names the ksock side needs. */
  needs: readonly string[];
  ksock: KsockSpec;
  /** The C program's arguments (before min_seconds and repeats). */
  linux: readonly (string | number)[] | null;
  /** Why there is no Linux figure, when `linux` is null. */
  linuxNote?: string;
  /** null: a row for context, with no target. */
  target: Target | null;
}

const sc = (
  id: string,
  label: string,
  needs: readonly string[],
  family: number,
  type: number,
  protocol: number,
  linux = true,
): RateOp => ({
  id,
  label: `socket()+close() ${label}`,
  needs,
  ksock: { kind: 'socket_close', family, type, protocol },
  linux: linux ? ['socket_close', family, type, protocol] : null,
  target: { kind: 'min_ratio', value: 10 },
});

const payloadName = (p: number) => (p >= 1024 ? `${p / 1024} KiB` : `${p} B`);

export const RATE_OPS: readonly RateOp[] = [
  // Not in issue 8's list: the cost of a syscall that does almost nothing but enter the kernel and look up
  // an fd. It differs tenfold between hosts (CPU mitigations, virtualisation), and every ratio below made
  // of a few syscalls moves with it, so the table shows it first.
  {
    id: 'floor.fcntl',
    label: 'fcntl(F_GETFD), the syscall floor',
    needs: [],
    ksock: { kind: 'fcntl' },
    linux: ['fcntl'],
    target: null,
  },
  sc(
    'socket_close.netlink_route',
    'NETLINK_ROUTE',
    ['af_netlink', 'rtnetlink'],
    AF_NETLINK,
    SOCK_RAW,
    NETLINK_ROUTE,
  ),
  sc(
    'socket_close.netlink_usersock',
    'NETLINK_USERSOCK',
    ['af_netlink'],
    AF_NETLINK,
    SOCK_RAW,
    NETLINK_USERSOCK,
  ),
  sc(
    'socket_close.netlink_connector',
    'NETLINK_CONNECTOR',
    ['af_netlink', 'cn'],
    AF_NETLINK,
    SOCK_DGRAM,
    NETLINK_CONNECTOR,
  ),
  sc('socket_close.tcp', 'TCP', ['af_inet'], AF_INET, SOCK_STREAM, 0),
  sc('socket_close.udp', 'UDP', ['af_inet'], AF_INET, SOCK_DGRAM, 0),
  sc('socket_close.rfcomm', 'RFCOMM', ['bluetooth', 'rfcomm'], AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM),
  ...[16, 1024].flatMap((payload) =>
    [1, 64].map(
      (batch): RateOp => ({
        id: `unicast.${payload}.${batch}`,
        label: `USERSOCK unicast ${payloadName(payload)}, ${batch === 1 ? 'one at a time' : `batches of ${batch}`}`,
        needs: ['af_netlink'],
        ksock: { kind: 'unicast', payload, batch },
        linux: ['unicast', payload, batch],
        target: { kind: 'min_ratio', value: 5 },
      }),
    ),
  ),
  ...[1, 16, 256].map(
    (members): RateOp => ({
      id: `multicast.${members}`,
      label: `USERSOCK multicast deliveries, ${members} member${members === 1 ? '' : 's'}`,
      needs: ['af_netlink'],
      ksock: { kind: 'multicast', members, payload: 16 },
      linux: ['multicast', members, 16],
      target: { kind: 'min_ratio', value: 5 },
    }),
  ),
  {
    id: 'dump.getlink',
    label: 'RTM_GETLINK dump (lo only)',
    needs: ['af_netlink', 'rtnetlink'],
    ksock: { kind: 'dump' },
    linux: ['dump'],
    target: { kind: 'min_ratio', value: 3 },
  },
];

/** The family used for the tracer comparison: UDP when af_inet is there, else NETLINK_USERSOCK. */
export function tracerSocket(
  names: ReadonlySet<string>,
): { label: string; family: number; type: number; protocol: number } | null {
  if (names.has('af_inet')) return { label: 'UDP', family: AF_INET, type: SOCK_DGRAM, protocol: 0 };
  if (names.has('af_netlink'))
    return { label: 'NETLINK_USERSOCK', family: AF_NETLINK, type: SOCK_RAW, protocol: NETLINK_USERSOCK };
  return null;
}

/** Modules of `needs` that are not available. */
export function missingModules(needs: readonly string[], names: ReadonlySet<string>): string[] {
  return needs.filter((n) => !names.has(n));
}

/**
 * A row of the bridge (issue 16): `linux_bench` run twice with the same arguments, on the host and under
 * @ksock/run's LD_PRELOAD library with a served ksock kernel.
 */
export interface BridgeOp {
  id: string;
  label: string;
  needs: readonly string[];
  /** The C program's arguments (before min_seconds and repeats), the same on both sides. */
  args: readonly (string | number)[];
  target: Target | null;
}

export const BRIDGE_OPS: readonly BridgeOp[] = [
  {
    id: 'bridge.getsockname',
    label: 'getsockname() UDP, one syscall (ksock: through the bridge)',
    needs: ['af_inet'],
    args: ['getsockname'],
    target: null,
  },
  ...[1, 64].map(
    (bytes): BridgeOp => ({
      id: `bridge.pingpong.${bytes}`,
      label: `TCP ping-pong ${bytes} B, two processes, round trips (ksock: bridge)`,
      needs: ['af_inet'],
      args: ['pingpong', bytes],
      target: { kind: 'min_ratio', value: 0.25 },
    }),
  ),
];
