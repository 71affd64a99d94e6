import { ksockProject } from '../../vitest.shared.js';

export default ksockProject('example-af-unix-dgram');
