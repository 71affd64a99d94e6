/**
 * ioctl(2): mirrors fs/ioctl.c — the syscall looks up the fd, do_vfs_ioctl() answers the commands every
 * file has, and whatever it does not know goes to the file's ->unlocked_ioctl (vfs_ioctl()). Socket files
 * are the only ksock files with one (sock_ioctl()); /dev/null answers ENOTTY, as a file without one does.
 *
 * `arg` is what the caller passed: an integer, or the bytes a pointer argument points to (read and written
 * in place), or for SIOCGIFCONF a struct ifconf (IfConf). A command that dereferences its argument and
 * finds an integer or too few bytes fails with EFAULT, as a bad user pointer does.
 */

import { type File, fcheck } from './file.js';
import { current } from './sched.js';
import { sock_from_file } from './socket.js';
import { sock_ioctl } from './socket_calls.js';
import { type Fmt, tracepoint } from './trace.js';
import { EBADF, EFAULT, EINVAL, ENOIOCTLCMD, ENOTTY } from './uapi/errno.js';
import { FASYNC, O_NONBLOCK } from './uapi/fcntl.js';
import { FIOASYNC, FIOCLEX, FIONBIO, FIONCLEX, FIOQSIZE } from './uapi/socket.js';

/** get_user() of an int through a pointer argument: -EFAULT unless four bytes are there. */
function get_user_int(arg: unknown): number | null {
  if (!(arg instanceof Uint8Array) || arg.length < 4) return null;
  return new DataView(arg.buffer, arg.byteOffset, 4).getInt32(0, true);
}

/** Mirrors ioctl_fionbio(): a non-zero int sets O_NONBLOCK, zero clears it. */
function ioctl_fionbio(file: File, arg: unknown): number {
  const on = get_user_int(arg);
  if (on === null) return -EFAULT;
  file.f_flags = on !== 0 ? file.f_flags | O_NONBLOCK : file.f_flags & ~O_NONBLOCK;
  return 0;
}

/**
 * Mirrors ioctl_fioasync(): a change of FASYNC goes through the file's ->fasync — sock_fasync() for a
 * socket (fasync_helper() then sets or clears FASYNC in f_flags); a file without one is ENOTTY. ksock
 * delivers no SIGIO: the flag is kept, as F_SETFL keeps it.
 */
function ioctl_fioasync(file: File, arg: unknown): number {
  const on = get_user_int(arg);
  if (on === null) return -EFAULT;
  const flag = on !== 0 ? FASYNC : 0;
  if (((flag ^ file.f_flags) & FASYNC) === 0) return 0;
  const sock = sock_from_file(file);
  if (sock === null) return -ENOTTY;
  if (sock.sk === null) return -EINVAL;
  file.f_flags = (file.f_flags & ~FASYNC) | flag;
  return 0;
}

/**
 * Mirrors do_vfs_ioctl(): FIOCLEX / FIONCLEX set and clear close-on-exec on the fd, FIONBIO and FIOASYNC
 * the file's flags; FIOQSIZE is ENOTTY for what is not a regular file, directory or link. FIONREAD of a
 * file that is not a regular one (a socket: SIOCINQ) and everything else is the file's own
 * (-ENOIOCTLCMD here).
 */
export function do_vfs_ioctl(file: File, fd: number, cmd: number, arg: unknown): number {
  switch (cmd) {
    case FIOCLEX:
      current().files.set_cloexec(fd, true);
      return 0;
    case FIONCLEX:
      current().files.set_cloexec(fd, false);
      return 0;
    case FIONBIO:
      return ioctl_fionbio(file, arg);
    case FIOASYNC:
      return ioctl_fioasync(file, arg);
    case FIOQSIZE:
      return -ENOTTY;
    default:
      return -ENOIOCTLCMD;
  }
}

/** Mirrors vfs_ioctl(): the file's ->unlocked_ioctl (sockets: sock_ioctl()), ENOIOCTLCMD made ENOTTY. */
function vfs_ioctl(file: File, cmd: number, arg: unknown): number {
  const sock = sock_from_file(file);
  if (sock === null) return -ENOTTY;
  const err = sock_ioctl(sock, cmd, arg);
  return err === -ENOIOCTLCMD ? -ENOTTY : err;
}

/** Mirrors SYSCALL_DEFINE3(ioctl): EBADF, then do_vfs_ioctl(), then the file's own ioctl. */
export let ksys_ioctl = function ksys_ioctl(fd: number, cmd: number, arg: unknown): number {
  const file = fcheck(current().files, fd);
  if (file === null) return -EBADF;
  const err = do_vfs_ioctl(file, fd, cmd, arg);
  return err === -ENOIOCTLCMD ? vfs_ioctl(file, cmd, arg) : err;
};
const fmt_ksys_ioctl: Fmt<typeof ksys_ioctl> = (fd, cmd) => `fd=${fd}, cmd=0x${(cmd >>> 0).toString(16)}`;

tracepoint(ksys_ioctl, 'ksys_ioctl', fmt_ksys_ioctl, (f) => {
  ksys_ioctl = f;
});
