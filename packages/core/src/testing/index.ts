/**
 * @ksock/core/testing — the conformance kit every family module (first- or third-party) runs, and the
 * counters its checks compare.
 */
export { checkFamily, kernelCounters, kernelWarnings } from './conformance.js';
export type {
  ConformanceReport,
  ConformanceResult,
  ConformanceSocket,
  ConformanceSpec,
} from './conformance.js';
export { checkPackageModules } from './package.js';
export { apiSnapshot, changesetPackages, checkApiChange } from './api.js';
export type { ApiSnapshot } from './api.js';
