/**
 * security/security.c and include/linux/lsm_hook_defs.h: the LSM socket hooks (security_socket_create()…)
 * and security_add_hooks().
 */
import { current } from './sched.js';
import type { Socket } from './socket.js';
import { type Fmt, tracepoint } from './trace.js';

/**
 * A security module's socket hooks (a slice of include/linux/lsm_hook_defs.h). Each returns 0 to allow
 * or a negative errno (typically -EACCES) to deny; the first denial wins, as call_int_hook() does.
 */
export interface SecurityHooks {
  readonly name: string;
  socket_create?(family: number, type: number, protocol: number, kern: boolean): number;
  socket_post_create?(sock: Socket, family: number, type: number, protocol: number, kern: boolean): number;
  socket_bind?(sock: Socket, addr: Uint8Array): number;
  socket_connect?(sock: Socket, addr: Uint8Array): number;
  socket_listen?(sock: Socket, backlog: number): number;
  socket_accept?(sock: Socket, newsock: Socket): number;
  socket_sendmsg?(sock: Socket, size: number): number;
  socket_recvmsg?(sock: Socket, size: number, flags: number): number;
  socket_getsockname?(sock: Socket): number;
  socket_getpeername?(sock: Socket): number;
  socket_setsockopt?(sock: Socket, level: number, optname: number): number;
  socket_getsockopt?(sock: Socket, level: number, optname: number): number;
  socket_shutdown?(sock: Socket, how: number): number;
}

type HookName = Exclude<keyof SecurityHooks, 'name'>;

function call_int_hook<K extends HookName>(hook: K, args: Parameters<NonNullable<SecurityHooks[K]>>): number {
  const lsms = current().kernel.lsm;
  if (lsms.length === 0) return 0;
  for (const l of lsms) {
    const fn = l[hook] as ((...a: unknown[]) => number) | undefined;
    if (fn !== undefined) {
      const r = fn.apply(l, args);
      if (r !== 0) return r;
    }
  }
  return 0;
}

/** Mirrors security_socket_create(). */
export let security_socket_create = function security_socket_create(
  family: number,
  type: number,
  protocol: number,
  kern: boolean,
): number {
  // No LSM registered (the usual case): nothing to call, and no argument list to build.
  if (current().kernel.lsm.length === 0) return 0;
  return call_int_hook('socket_create', [family, type, protocol, kern]);
};
const fmt_security_socket_create: Fmt<typeof security_socket_create> = (family, type, protocol, kern) =>
  `${family}, ${type}, ${protocol}, ${kern ? 1 : 0}`;

/** Mirrors security_socket_post_create(). */
export let security_socket_post_create = (
  sock: Socket,
  family: number,
  type: number,
  protocol: number,
  kern: boolean,
): number => {
  if (current().kernel.lsm.length === 0) return 0;
  return call_int_hook('socket_post_create', [sock, family, type, protocol, kern]);
};
const fmt_security_socket_post_create: Fmt<typeof security_socket_post_create> = (
  _sock,
  family,
  type,
  protocol,
) => `${family}, ${type}, ${protocol}`;

export const security_socket_bind = (sock: Socket, addr: Uint8Array): number =>
  call_int_hook('socket_bind', [sock, addr]);
export const security_socket_connect = (sock: Socket, addr: Uint8Array): number =>
  call_int_hook('socket_connect', [sock, addr]);
export const security_socket_listen = (sock: Socket, backlog: number): number =>
  call_int_hook('socket_listen', [sock, backlog]);
export const security_socket_accept = (sock: Socket, newsock: Socket): number =>
  call_int_hook('socket_accept', [sock, newsock]);
export const security_socket_sendmsg = (sock: Socket, size: number): number =>
  call_int_hook('socket_sendmsg', [sock, size]);
export const security_socket_recvmsg = (sock: Socket, size: number, flags: number): number =>
  call_int_hook('socket_recvmsg', [sock, size, flags]);
export const security_socket_getsockname = (sock: Socket): number =>
  call_int_hook('socket_getsockname', [sock]);
export const security_socket_getpeername = (sock: Socket): number =>
  call_int_hook('socket_getpeername', [sock]);
export const security_socket_setsockopt = (sock: Socket, level: number, optname: number): number =>
  call_int_hook('socket_setsockopt', [sock, level, optname]);
export const security_socket_getsockopt = (sock: Socket, level: number, optname: number): number =>
  call_int_hook('socket_getsockopt', [sock, level, optname]);
export const security_socket_shutdown = (sock: Socket, how: number): number =>
  call_int_hook('socket_shutdown', [sock, how]);

/**
 * Mirrors security_add_hooks(): a policy module joins the LSM list; its hooks run after those already
 * there. Returns the function that removes them again (ksock modules can unload; Linux LSMs cannot).
 */
export function security_add_hooks(kernel: { lsm: SecurityHooks[] }, hooks: SecurityHooks): () => void {
  kernel.lsm.push(hooks);
  return () => {
    const i = kernel.lsm.indexOf(hooks);
    if (i >= 0) kernel.lsm.splice(i, 1);
  };
}

// Trace points: the function-graph tracer swaps these bindings for recording wrappers while it is on.
tracepoint(security_socket_create, 'security_socket_create', fmt_security_socket_create, (f) => {
  security_socket_create = f;
});
tracepoint(
  security_socket_post_create,
  'security_socket_post_create',
  fmt_security_socket_post_create,
  (f) => {
    security_socket_post_create = f;
  },
);
