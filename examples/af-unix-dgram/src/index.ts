/**
 * ksock-example-af-unix-dgram: AF_UNIX datagram sockets as a third-party ksock family, written against
 * @ksock/core's public API alone. The default export is the array of its module descriptors
 * (`[unix_module]`), as every family's is: hand it to `new Kernel({ modules })`, or let
 * `discoverModules()` find this package.
 */
import { unix_module } from './module.js';

export { unix_unlink } from './af_unix.js';
export { UNIX_SOCK_SIZE, unix_module } from './module.js';
export type { UnixAddress } from './uapi.js';
export {
  parse_sockaddr_un,
  SOCKADDR_UN_SIZE,
  SUN_PATH_OFFSET,
  sockaddr_un,
  sockaddr_un_abstract,
  sockaddr_un_unnamed,
  UNIX_PATH_MAX,
} from './uapi.js';
export { UnixSock, unix_skb_truesize } from './unix_sock.js';

const modules = [unix_module];
export default modules;
