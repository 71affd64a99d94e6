import { ksockProject } from '../../vitest.shared.js';

export default ksockProject('run');
