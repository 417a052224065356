/*
 * Socket system calls for Lua processes: p:socket, p:bind, p:connect,
 * p:listen, p:accept, p:send, p:sendto, p:recv, p:recvfrom, p:close,
 * p:shutdown, p:setsockopt, p:sysctl.
 *
 * They call the system-call layer (sys/syscall.h) on the process's own
 * LWP, so they block in the kernel like a C program's calls.  Success
 * returns values (at least `true'); failure returns nil, the errno name
 * ("ECONNREFUSED") and its message.  Addresses are text:
 * "10.0.1.1:5000", "[2001:db8::1]:53", "/tmp/s" (a path: AF_LOCAL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "userland/ul.h"
#include "sys/un.h"
#include "sys/sysctl.h"
#include "sys/syscall.h"

#include "kn_proc.h"

static const struct {
	int		 e_no;
	const char	*e_name;
} kn_errnos[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
	{ EINTR, "EINTR" }, { EIO, "EIO" }, { EBADF, "EBADF" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { EPIPE, "EPIPE" },
	{ EAGAIN, "EAGAIN" }, { EINPROGRESS, "EINPROGRESS" },
	{ EALREADY, "EALREADY" }, { ENOTSOCK, "ENOTSOCK" },
	{ EDESTADDRREQ, "EDESTADDRREQ" }, { EMSGSIZE, "EMSGSIZE" },
	{ EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { EADDRINUSE, "EADDRINUSE" },
	{ EADDRNOTAVAIL, "EADDRNOTAVAIL" }, { ENETDOWN, "ENETDOWN" },
	{ ENETUNREACH, "ENETUNREACH" }, { ECONNABORTED, "ECONNABORTED" },
	{ ECONNRESET, "ECONNRESET" }, { ENOBUFS, "ENOBUFS" },
	{ EISCONN, "EISCONN" }, { ENOTCONN, "ENOTCONN" },
	{ ETIMEDOUT, "ETIMEDOUT" }, { ECONNREFUSED, "ECONNREFUSED" },
	{ EHOSTDOWN, "EHOSTDOWN" }, { EHOSTUNREACH, "EHOSTUNREACH" },
	{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" },
	{ ENAMETOOLONG, "ENAMETOOLONG" }, { EDQUOT, "EDQUOT" },
	{ ETOOMANYREFS, "ETOOMANYREFS" }, { ESHUTDOWN, "ESHUTDOWN" },
};

const char *
kn_errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(kn_errnos) / sizeof(kn_errnos[0]); i++)
		if (kn_errnos[i].e_no == e)
			return kn_errnos[i].e_name;
	return "EUNKNOWN";
}

/* nil, "ENAME", message */
static int
kn_syserr(lua_State *L, int error)
{
	lua_pushnil(L);
	lua_pushstring(L, kn_errno_name(error));
	lua_pushstring(L, strerror(error));
	return 3;
}

/* true, or nil, "ENAME", message */
static int
kn_sysret(lua_State *L, int error)
{
	if (error != 0)
		return kn_syserr(L, error);
	lua_pushboolean(L, 1);
	return 1;
}

static struct kn_proc *
kn_sock_self(lua_State *L, const char *what)
{
	struct kn_proc *p = kn_checkproc(L, 1);

	if (kn_proc_of(L) != p)
		luaL_error(L, "p:%s: only process '%s' itself can make its "
		    "system calls", what, p->p_name);
	return p;
}

/* Text address -> sockaddr; raises a Lua error naming a bad address. */
static socklen_t
kn_checkaddr(lua_State *L, int arg, struct sockaddr_storage *ss)
{
	const char *s = luaL_checkstring(L, arg);
	char host[128];
	const char *colon;
	long port = 0;
	char *end;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '/' || s[0] == '.') {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;
		size_t n = strlen(s);

		if (n >= sizeof(sun->sun_path))
			luaL_error(L, "bad address '%s': path too long", s);
		sun->sun_family = AF_LOCAL;
		memcpy(sun->sun_path, s, n);
		sun->sun_len = (uint8_t)(2 + n);
		return sun->sun_len;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || (size_t)(rb - s - 1) >= sizeof(host))
			luaL_error(L, "bad address '%s'", s);
		snprintf(host, sizeof(host), "%.*s", (int)(rb - s - 1), s + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (rb[1] != '\0' && colon == NULL)
			luaL_error(L, "bad address '%s'", s);
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon)
			colon = NULL;	/* a bare IPv6 address */
		snprintf(host, sizeof(host), "%.*s",
		    (int)(colon ? (size_t)(colon - s) : strlen(s)), s);
	}
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (*end != '\0' || port < 0 || port > 65535)
			luaL_error(L, "bad address '%s': bad port", s);
	}
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		struct in6_addr a;

		if (!ul_inet6_pton(host, &a))
			luaL_error(L, "bad address '%s'", s);
		ul_sin6_init(sin6, &a);
		sin6->sin6_port = htons((uint16_t)port);
		return sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		struct in_addr a;

		if (!ul_inet_pton(host, &a))
			luaL_error(L, "bad address '%s'", s);
		ul_sin_init(sin, &a);
		sin->sin_port = htons((uint16_t)port);
		return sizeof(*sin);
	}
}

static void
kn_pushaddr(lua_State *L, const struct sockaddr *sa, socklen_t len)
{
	char b[80];

	if (len == 0 || sa->sa_len == 0) {
		lua_pushnil(L);
		return;
	}
	switch (sa->sa_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const void *)sa;

		lua_pushfstring(L, "%s:%d", ul_inet_ntop(&sin->sin_addr, b,
		    sizeof(b)), (int)ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		lua_pushfstring(L, "[%s]:%d", ul_inet6_ntop(&sin6->sin6_addr,
		    b, sizeof(b)), (int)ntohs(sin6->sin6_port));
		break;
	}
	case AF_LOCAL: {
		const struct sockaddr_un *sun = (const void *)sa;
		size_t n = sun->sun_len > 2 ? (size_t)sun->sun_len - 2 : 0;

		n = strnlen(sun->sun_path, n);
		if (n == 0)
			lua_pushnil(L);		/* an unnamed socket */
		else
			lua_pushlstring(L, sun->sun_path, n);
		break;
	}
	default:
		lua_pushfstring(L, "(family %d)", sa->sa_family);
	}
}

static int
kn_opt_index(lua_State *L, int arg, const char *const names[],
    const int values[], const char *what)
{
	const char *s = luaL_checkstring(L, arg);
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0)
			return values[i];
	return luaL_error(L, "unknown %s '%s'", what, s);
}

/* p:socket(domain, type [, protocol]) -> fd */
static int
knL_socket(lua_State *L)
{
	static const char *const dn[] = { "inet", "inet6", "local", "unix",
	    "route", NULL };
	static const int dv[] = { AF_INET, AF_INET6, AF_LOCAL, AF_LOCAL,
	    AF_ROUTE };
	static const char *const tn[] = { "stream", "dgram", "raw",
	    "seqpacket", NULL };
	static const int tv[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW,
	    SOCK_SEQPACKET };
	int dom, type, proto, fd, error;

	kn_sock_self(L, "socket");
	dom = kn_opt_index(L, 2, dn, dv, "socket domain");
	type = kn_opt_index(L, 3, tn, tv, "socket type");
	proto = (int)luaL_optinteger(L, 4, 0);
	error = sys_socket(dom, type, proto, &fd);
	if (error != 0)
		return kn_syserr(L, error);
	lua_pushinteger(L, fd);
	return 1;
}

/* p:bind(fd, addr) and p:connect(fd, addr) */
static int
kn_sock_addrcall(lua_State *L, const char *what,
    int (*call)(int, const struct sockaddr *, socklen_t))
{
	struct sockaddr_storage ss;
	socklen_t len;

	kn_sock_self(L, what);
	len = kn_checkaddr(L, 3, &ss);
	return kn_sysret(L, call((int)luaL_checkinteger(L, 2),
	    (struct sockaddr *)&ss, len));
}

static int
knL_bind(lua_State *L)
{
	return kn_sock_addrcall(L, "bind", sys_bind);
}

static int
knL_connect(lua_State *L)
{
	return kn_sock_addrcall(L, "connect", sys_connect);
}

static int
knL_listen(lua_State *L)
{
	int error;

	kn_sock_self(L, "listen");
	error = sys_listen((int)luaL_checkinteger(L, 2),
	    (int)luaL_optinteger(L, 3, 5));
	return kn_sysret(L, error);
}

/* p:accept(fd) -> newfd, peer address */
static int
knL_accept(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int error, nfd;

	kn_sock_self(L, "accept");
	memset(&ss, 0, sizeof(ss));
	error = sys_accept((int)luaL_checkinteger(L, 2),
	    (struct sockaddr *)&ss, &len, &nfd);
	if (error != 0)
		return kn_syserr(L, error);
	lua_pushinteger(L, nfd);
	kn_pushaddr(L, (struct sockaddr *)&ss, len);
	return 2;
}

/* p:send(fd, data) / p:sendto(fd, data, addr) -> bytes sent */
static int
knL_sendto(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	size_t n;
	const char *data;
	ssize_t sent = 0;
	int error;

	kn_sock_self(L, "sendto");
	data = luaL_checklstring(L, 3, &n);
	if (!lua_isnoneornil(L, 4))
		len = kn_checkaddr(L, 4, &ss);
	error = sys_sendto((int)luaL_checkinteger(L, 2), data, n, 0,
	    len ? (struct sockaddr *)&ss : NULL, len, &sent);
	if (error != 0)
		return kn_syserr(L, error);
	lua_pushinteger(L, (lua_Integer)sent);
	return 1;
}

/* p:recv(fd [, max]) / p:recvfrom(fd [, max]) -> data, from */
static int
knL_recvfrom(lua_State *L)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	lua_Integer max = luaL_optinteger(L, 3, 65536);
	ssize_t got = 0;
	char *buf;
	int error;

	kn_sock_self(L, "recvfrom");
	luaL_argcheck(L, max > 0 && max <= 1 << 20, 3, "1 to 1048576 bytes");
	buf = ul_zalloc((size_t)max);
	if (buf == NULL)
		return kn_syserr(L, ENOMEM);
	memset(&ss, 0, sizeof(ss));
	error = sys_recvfrom((int)luaL_checkinteger(L, 2), buf, (size_t)max,
	    0, (struct sockaddr *)&ss, &len, &got);
	if (error != 0) {
		ul_free(buf, (size_t)max);
		return kn_syserr(L, error);
	}
	lua_pushlstring(L, buf, (size_t)got);
	ul_free(buf, (size_t)max);
	kn_pushaddr(L, (struct sockaddr *)&ss, len);
	return 2;
}

static int
knL_close(lua_State *L)
{
	int error;

	kn_sock_self(L, "close");
	error = sys_close((int)luaL_checkinteger(L, 2));
	return kn_sysret(L, error);
}

static int
knL_shutdown(lua_State *L)
{
	static const char *const hn[] = { "rd", "wr", "rdwr", NULL };
	static const int hv[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
	int error;

	kn_sock_self(L, "shutdown");
	error = sys_shutdown((int)luaL_checkinteger(L, 2),
	    kn_opt_index(L, 3, hn, hv, "shutdown direction"));
	return kn_sysret(L, error);
}

/* p:setsockopt(fd, "rcvbuf"|"sndbuf"|"reuseaddr"|"rcvtimeo_ms", int) */
static int
knL_setsockopt(lua_State *L)
{
	static const char *const on[] = { "rcvbuf", "sndbuf", "reuseaddr",
	    "reuseport", NULL };
	static const int ov[] = { SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR,
	    SO_REUSEPORT };
	int v, error;

	kn_sock_self(L, "setsockopt");
	v = (int)luaL_checkinteger(L, 4);
	error = sys_setsockopt((int)luaL_checkinteger(L, 2), SOL_SOCKET,
	    kn_opt_index(L, 3, on, ov, "socket option"), &v, sizeof(v));
	return kn_sysret(L, error);
}

/* p:sysctl(name [, newvalue]) -> value (text) */
static int
knL_psysctl(lua_State *L)
{
	const char *name = luaL_checkstring(L, 2);
	const char *nv = luaL_optstring(L, 3, NULL);
	char buf[256];
	int error;

	kn_sock_self(L, "sysctl");
	error = sysctl_byname_text(name, buf, sizeof(buf), nv);
	if (error != 0)
		return kn_syserr(L, error);
	lua_pushstring(L, buf);
	return 1;
}

static const luaL_Reg kn_sock_methods[] = {
	{ "socket", knL_socket },
	{ "bind", knL_bind },
	{ "connect", knL_connect },
	{ "listen", knL_listen },
	{ "accept", knL_accept },
	{ "send", knL_sendto },
	{ "sendto", knL_sendto },
	{ "recv", knL_recvfrom },
	{ "recvfrom", knL_recvfrom },
	{ "close", knL_close },
	{ "shutdown", knL_shutdown },
	{ "setsockopt", knL_setsockopt },
	{ "sysctl", knL_psysctl },
	{ NULL, NULL }
};

void
kn_open_sock(lua_State *L)
{
	kn_proc_methods_add(L, kn_sock_methods);
}
