/** @ksock/core/node — what only makes sense on Node: finding installed family packages. */

export type { DiscoveredPackage, DiscoverOptions, KsockPackageField } from './discover.js';
export { discoverModules } from './discover.js';
