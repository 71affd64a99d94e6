/**
 * @ksock/af-netlink — PF_NETLINK for ksock: the af_netlink family module, rtnetlink (NETLINK_ROUTE) and
 * the connector with cn_proc (NETLINK_CONNECTOR), each a loadable module.
 */
import type { ModuleDescriptor } from '@ksock/core/kernel';
import { af_netlink_module } from './af_netlink.js';
import { rtnetlink_module } from './rtnetlink.js';
import { cn_module } from './connector.js';

export * from './uapi.js';
export * from './nlattr.js';
export * from './af_netlink.js';
export * from './rtnetlink.js';
export * from './connector.js';

const modules: readonly ModuleDescriptor[] = [af_netlink_module, rtnetlink_module, cn_module];
export default modules;
