/* linux.netDevices through the ocirt-netdev helper (see netdev.h). */
#include "lib/net/netdev.h"
#include "base/helper.h"
#include "base/util.h"
#include <limits.h>
#include <stdio.h>
#include <string.h>

#ifdef OCIRT_HAVE_NETDEV
bool netdev_supported(void)
{
	char path[PATH_MAX];
	struct oerr ignored;
	return helper_find(NETDEV_HELPER, path, sizeof(path), &ignored) == 0;
}

/* args: verb, [fd], then one per device: HOST (check) or HOST=NAME (move). */
static const char **device_args(const struct spec_linux *l, const char *verb, const char *fd, char ***owned)
{
	size_t n = l->n_net_devices;
	const char **args = calloc(n + 3, sizeof(*args));
	char **own = calloc(n + 1, sizeof(*own));
	if (!args || !own) {
		free(args);
		free(own);
		return NULL;
	}
	size_t a = 0;
	args[a++] = verb;
	if (fd)
		args[a++] = fd;
	for (size_t i = 0; i < n; i++) {
		const struct spec_net_device *d = &l->net_devices[i];
		if (!fd) {
			args[a++] = d->host_name;
			continue;
		}
		if (asprintf(&own[i], "%s=%s", d->host_name, d->name ? d->name : "") < 0) {
			own[i] = NULL;
			strvfreep(&own);
			free(args);
			return NULL;
		}
		args[a++] = own[i];
	}
	*owned = own;
	return args;
}

int netdev_check(const struct spec_linux *l, struct oerr *e)
{
	if (!l || !l->n_net_devices)
		return 0;
	_cleanup_strv_ char **own = NULL;
	_cleanup_free_ const char **args = device_args(l, "check", NULL, &own);
	if (!args)
		return oerr_setx(e, ENOMEM, "linux.netDevices");
	int r = helper_run(NETDEV_HELPER, args, NULL, 0, NULL, e);
	return r < 0 ? oerr_wrap(e, "linux.netDevices") : 0;
}

/* The helper's "HOST NAME up|down" lines. */
static int parse_moved(char *text, struct netdev_set *moved, size_t n, struct oerr *e)
{
	moved->v = calloc(n, sizeof(*moved->v));
	if (!moved->v)
		return oerr_setx(e, ENOMEM, "linux.netDevices");
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line && moved->n < n; line = strtok_r(NULL, "\n", &save)) {
		struct netdev_moved *m = &moved->v[moved->n];
		char state[8] = "";
		if (sscanf(line, "%15s %15s %7s", m->host, m->name, state) != 3)
			return oerr_setx(e, EPROTO, "linux.netDevices: %s said \"%s\"", NETDEV_HELPER, line);
		m->was_up = !strcmp(state, "up");
		moved->n++;
	}
	return 0;
}

int netdev_move(const struct spec_linux *l, int nsfd, struct netdev_set *moved, struct oerr *e)
{
	*moved = (struct netdev_set){ 0 };
	if (!l || !l->n_net_devices)
		return 0;
	char fd[16];
	snprintf(fd, sizeof(fd), "%d", nsfd);
	_cleanup_strv_ char **own = NULL;
	_cleanup_free_ const char **args = device_args(l, "move", fd, &own);
	if (!args)
		return oerr_setx(e, ENOMEM, "linux.netDevices");
	_cleanup_free_ char *out = NULL;
	int r = helper_run(NETDEV_HELPER, args, &nsfd, 1, &out, e);
	if (r < 0)
		return oerr_wrap(e, "linux.netDevices");
	return parse_moved(out, moved, l->n_net_devices, e);
}

void netdev_move_back(int nsfd, const struct netdev_set *moved)
{
	if (!moved->n)
		return;
	char fd[16];
	snprintf(fd, sizeof(fd), "%d", nsfd);
	const char **args = calloc(moved->n + 3, sizeof(*args));
	char **own = calloc(moved->n + 1, sizeof(*own));
	struct oerr e = { 0 };
	int r = -ENOMEM;
	if (args && own) {
		args[0] = "back";
		args[1] = fd;
		size_t i;
		for (i = 0; i < moved->n; i++) {
			const struct netdev_moved *m = &moved->v[i];
			if (asprintf(&own[i], "%s=%s:%s", m->name, m->host, m->was_up ? "up" : "down") < 0) {
				own[i] = NULL;
				break;
			}
			args[i + 2] = own[i];
		}
		if (i == moved->n)
			r = helper_run(NETDEV_HELPER, args, &nsfd, 1, NULL, &e);
	}
	if (r < 0)
		fprintf(stderr, "warning: linux.netDevices: moving the devices back: %s\n",
			r == -ENOMEM ? "out of memory" : e.msg);
	free(args);
	strvfreep(&own);
}
#else
bool netdev_supported(void)
{
	return false;
}

int netdev_check(const struct spec_linux *l, struct oerr *e)
{
	if (!l || !l->n_net_devices)
		return 0;
	return oerr_setx(e, ENOTSUP, "linux.netDevices: not supported by this build of ocirt (built without "
			 "libmnl, so without its %s helper)", NETDEV_HELPER);
}

int netdev_move(const struct spec_linux *l, int nsfd, struct netdev_set *moved, struct oerr *e)
{
	*moved = (struct netdev_set){ 0 };
	return netdev_check(l, e);
}

void netdev_move_back(int nsfd, const struct netdev_set *moved)
{
}
#endif

void netdev_set_free(struct netdev_set *s)
{
	free(s->v);
	*s = (struct netdev_set){ 0 };
}
