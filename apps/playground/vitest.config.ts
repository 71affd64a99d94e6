import { ksockProject } from '../../vitest.shared.js';

export default ksockProject('playground');
