/** include/uapi/linux/sched.h and signal numbers used by exit(). */
export const CLONE_NEWNET = 0x40000000;
export const CLONE_FILES = 0x00000400;
export const SIGCHLD = 17;
