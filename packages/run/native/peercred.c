/* peercred.c — Node-API addon: peercred(fd) → { pid, uid, gid } of a Unix socket's peer (SO_PEERCRED). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* The few Node-API types and functions used here, declared from the documented C ABI. The functions are
 * resolved from the node binary when it loads this object. */
typedef struct ks_napi_env *napi_env;
typedef struct ks_napi_value *napi_value;
typedef struct ks_napi_callback_info *napi_callback_info;
typedef int napi_status; /* 0 is napi_ok */
typedef napi_value (*napi_callback)(napi_env env, napi_callback_info info);

napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
                             napi_value *this_arg, void **data);
napi_status napi_get_value_int32(napi_env env, napi_value value, int32_t *result);
napi_status napi_create_object(napi_env env, napi_value *result);
napi_status napi_create_int32(napi_env env, int32_t value, napi_value *result);
napi_status napi_create_uint32(napi_env env, uint32_t value, napi_value *result);
napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value);
napi_status napi_create_function(napi_env env, const char *name, size_t length, napi_callback cb, void *data,
                                 napi_value *result);
napi_status napi_throw_error(napi_env env, const char *code, const char *msg);

#define EXPORT __attribute__((visibility("default")))

static napi_value fail(napi_env env, const char *code, const char *msg)
{
	napi_throw_error(env, code, msg);
	return NULL;
}

static napi_value peercred(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1] = {NULL};
	int32_t fd;
	if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != 0 || argc < 1 ||
	    napi_get_value_int32(env, argv[0], &fd) != 0)
		return fail(env, "ERR_INVALID_ARG_TYPE", "peercred(fd): fd must be a number");
	struct ucred cred;
	socklen_t len = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		int e = errno;
		const char *name = strerrorname_np(e);
		char msg[160];
		snprintf(msg, sizeof msg, "peercred(%d): getsockopt(SO_PEERCRED) failed: %s (%s, errno %d)", (int)fd,
		         strerror(e), name ? name : "?", e);
		return fail(env, name ? name : "EUNKNOWN", msg);
	}
	napi_value obj, pid, uid, gid;
	if (napi_create_object(env, &obj) != 0 || napi_create_int32(env, cred.pid, &pid) != 0 ||
	    napi_create_uint32(env, cred.uid, &uid) != 0 || napi_create_uint32(env, cred.gid, &gid) != 0 ||
	    napi_set_named_property(env, obj, "pid", pid) != 0 || napi_set_named_property(env, obj, "uid", uid) != 0 ||
	    napi_set_named_property(env, obj, "gid", gid) != 0)
		return fail(env, "ERR_NAPI", "peercred: could not build the result object");
	return obj;
}

EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports)
{
	napi_value fn;
	if (napi_create_function(env, "peercred", (size_t)-1, peercred, NULL, &fn) != 0 ||
	    napi_set_named_property(env, exports, "peercred", fn) != 0)
		return fail(env, "ERR_NAPI", "peercred: could not register");
	return exports;
}
