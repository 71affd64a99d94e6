import { ksockProject } from '../../vitest.shared.js';

export default ksockProject('e2e');
