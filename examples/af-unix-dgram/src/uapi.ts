/**
 * struct sockaddr_un (include/uapi/linux/un.h) and helpers to build and read it.
 *
 * Layout on x86-64: `sa_family_t sun_family` (u16, little-endian) then `char sun_path[108]`; 110 bytes in
 * all. Three kinds of address share it, told apart by the length and the first path byte:
 * - unnamed: only the family (2 bytes) — what getsockname() shows for an unbound socket, and what bind()
 *   takes to ask for an autobind;
 * - pathname: a NUL-terminated path; its length is strlen(path) + 3 (family, path, NUL);
 * - abstract: sun_path[0] is NUL and every byte up to the address length is part of the name, NULs included.
 */
import { AF_UNIX } from '@ksock/core';

/** UNIX_PATH_MAX: the size of sun_path. */
export const UNIX_PATH_MAX = 108;
/** offsetof(struct sockaddr_un, sun_path). */
export const SUN_PATH_OFFSET = 2;
/** sizeof(struct sockaddr_un). */
export const SOCKADDR_UN_SIZE = SUN_PATH_OFFSET + UNIX_PATH_MAX;

const utf8 = new TextEncoder();

function header(len: number): Uint8Array {
  const b = new Uint8Array(len);
  b[0] = AF_UNIX & 0xff;
  b[1] = AF_UNIX >> 8;
  return b;
}

function bytes_of(name: string | Uint8Array): Uint8Array {
  return typeof name === 'string' ? utf8.encode(name) : name;
}

/**
 * A pathname address: the path's UTF-8 bytes and a terminating NUL, as a C program passes
 * `offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1`. A path of exactly 108 bytes has no room for
 * the NUL and is passed without one (110 bytes), which Linux accepts.
 */
export function sockaddr_un(path: string | Uint8Array): Uint8Array {
  const p = bytes_of(path);
  if (p.length === 0 || p.length > UNIX_PATH_MAX) {
    throw new RangeError(`sockaddr_un: a path must be 1..${UNIX_PATH_MAX} bytes, got ${p.length}`);
  }
  if (p[0] === 0)
    throw new RangeError('sockaddr_un: a path cannot start with NUL (use sockaddr_un_abstract)');
  const b = header(SUN_PATH_OFFSET + Math.min(p.length + 1, UNIX_PATH_MAX));
  b.set(p, SUN_PATH_OFFSET);
  return b;
}

/** An abstract-namespace address: a NUL, then the name's bytes; the length says where the name ends. */
export function sockaddr_un_abstract(name: string | Uint8Array): Uint8Array {
  const n = bytes_of(name);
  if (n.length > UNIX_PATH_MAX - 1) {
    throw new RangeError(`sockaddr_un_abstract: a name must be at most ${UNIX_PATH_MAX - 1} bytes`);
  }
  const b = header(SUN_PATH_OFFSET + 1 + n.length);
  b.set(n, SUN_PATH_OFFSET + 1);
  return b;
}

/** The 2-byte address (family only): bind() with it autobinds, getsockname() of an unbound socket returns it. */
export function sockaddr_un_unnamed(): Uint8Array {
  return header(SUN_PATH_OFFSET);
}

/** A socket address as user space reads it back. */
export interface UnixAddress {
  kind: 'unnamed' | 'pathname' | 'abstract';
  /**
   * pathname: the path (UTF-8 decoded, up to its NUL); abstract: the name after the leading NUL (latin1, so
   * every byte, NULs included, maps to one character); unnamed: ''.
   */
  name: string;
}

/** Read back a sockaddr_un (as getsockname(), getpeername() or recvfrom() return it). */
export function parse_sockaddr_un(addr: Uint8Array): UnixAddress {
  if (addr.length < SUN_PATH_OFFSET || (addr[0]! | (addr[1]! << 8)) !== AF_UNIX) {
    throw new RangeError('parse_sockaddr_un: not an AF_UNIX address');
  }
  if (addr.length === SUN_PATH_OFFSET) return { kind: 'unnamed', name: '' };
  const path = addr.subarray(SUN_PATH_OFFSET);
  if (path[0] === 0) return { kind: 'abstract', name: latin1(path.subarray(1)) };
  const nul = path.indexOf(0);
  return { kind: 'pathname', name: new TextDecoder().decode(nul < 0 ? path : path.subarray(0, nul)) };
}

/** Bytes as a string of the same length, one character per byte (a lossless Map key). */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}
