/** File status flags and fcntl() commands (include/uapi/asm-generic/fcntl.h, x86-64 values). */
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_NDELAY = O_NONBLOCK;
export const O_DSYNC = 0o10000;
export const FASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const FD_CLOEXEC = 1;

/** fs/fcntl.c SETFL_MASK: the only status flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_NDELAY | FASYNC | O_DIRECT | O_NOATIME;

/** include/uapi/asm-generic/resource.h */
export const RLIMIT_NOFILE = 7;
/** include/uapi/linux/fs.h: INR_OPEN_CUR / INR_OPEN_MAX, the default soft and hard RLIMIT_NOFILE. */
export const INR_OPEN_CUR = 1024;
export const INR_OPEN_MAX = 4096;
/** fs/file.c sysctl_nr_open default (fs.nr_open). */
export const NR_OPEN = 1024 * 1024;

/** include/uapi/linux/stat.h */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFCHR = 0o20000;
