/** Ready-made programs. Each says in its own words what it shows. */

export interface Scenario {
  id: string;
  title: string;
  families: readonly string[];
  program: string;
}

const ALL = ['af-netlink', 'af-inet', 'af-bluetooth'] as const;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'seed-000',
    title: 'A netlink connector socket: two modules autoload',
    families: ALL,
    program: `# No module is loaded yet. socket() asks for "net-pf-16" (af_netlink), then
# af_netlink asks for "net-pf-16-proto-11" (cn), and loading cn creates the
# connector's own kernel socket before yours is made.
fd = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)
`,
  },
  {
    id: 'seed-003',
    title: 'A Bluetooth RFCOMM socket: a module that loads another',
    families: ALL,
    program: `# bluetooth answers "net-pf-31"; it has no RFCOMM of its own and asks for
# "bt-proto-3", which loads rfcomm, a module that depends on bluetooth.
fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)
`,
  },
  {
    id: 'seed-004',
    title: 'A TCP socket: inet_create finds its inetsw entry',
    families: ALL,
    program: `# af_inet answers "net-pf-2"; inet_create() looks up SOCK_STREAM with
# protocol 0 in inetsw and picks TCP.
fd = socket(AF_INET, SOCK_STREAM, 0)
`,
  },
  {
    id: 'tcp-loopback',
    title: 'A TCP connection over loopback',
    families: ['af-inet'],
    program: `srv = socket(AF_INET, SOCK_STREAM, 0)
bind(srv, {sin_addr: "127.0.0.1", sin_port: 8080})
listen(srv, 1)
cli = socket(AF_INET, SOCK_STREAM, 0)
connect(cli, {sin_addr: "127.0.0.1", sin_port: 8080})
conn = accept(srv)
send(cli, "hello")
recv(conn, 16)
close(conn)
close(cli)
close(srv)
`,
  },
  {
    id: 'netlink-ping-pong',
    title: 'Two netlink sockets exchanging a message',
    families: ['af-netlink'],
    program: `a = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK)
bind(a, {nl_pid: 100})
b = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_USERSOCK)
bind(b, {nl_pid: 200})
sendto(a, "ping", 0, {nl_pid: 200})
recv(b, 64)
sendto(b, "pong", 0, {nl_pid: 100})
recv(a, 64)
`,
  },
  {
    id: 'rfcomm-rmmod',
    title: 'rmmod refused while a socket holds the module',
    families: ['af-bluetooth'],
    program: `fd = socket(AF_BLUETOOTH, SOCK_STREAM, BTPROTO_RFCOMM)
sudo rmmod rfcomm     # refused: the socket holds a reference
close(fd)
sudo rmmod rfcomm     # now nothing holds it
rmmod bluetooth       # without sudo: EPERM, unloading needs CAP_SYS_MODULE
cat /proc/modules
`,
  },
];

export function scenario(id: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.id === id);
}
