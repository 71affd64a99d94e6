/**
 * @ksock/core/testing — the conformance kit every family module (first- or third-party) runs, the
 * counters its checks compare, and errnoOf(), the one way tests name how a system call ended.
 */

export type { ApiSnapshot } from './api.js';
export { apiSnapshot, changesetPackages, checkApiChange } from './api.js';
export type {
  ConformanceReport,
  ConformanceResult,
  ConformanceSocket,
  ConformanceSpec,
} from './conformance.js';
export { checkFamily, kernelCounters, kernelWarnings } from './conformance.js';
export type { ErrnoOfOptions } from './errno.js';
export { errnoOf } from './errno.js';
export { checkPackageModules } from './package.js';
