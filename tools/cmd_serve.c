/*
 * knit serve: a read-only local web UI over a run database, on
 * libevent's evhttp.  Pages: / and /runs (runs, filtered and paged),
 * /run/ID (a run's violations, timeline, flows), /violations (filtered
 * and paged), /signatures.  Every query is parameterised; every
 * parameter is validated (unknown names, bad numbers, bad verdicts and
 * over-long values get 400); unknown paths 404; methods other than
 * GET/HEAD 405; headers or bodies over the limits 413 (evhttp).
 * SIGINT/SIGTERM stop the loop and the process exits 0.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_cmds.h"
#include "record/db.h"
#include "report.h"

const char cmd_serve_help[] =
    "usage: knit serve DB [--port P] [--bind ADDR]\n"
    "\n"
    "Serve a read-only web UI of the run database DB: the runs with\n"
    "filters (verdict, scenario, campaign) and paging, each run's page\n"
    "(violations with both stacks and the replay command, the zoomable\n"
    "CPU timeline, packet paths, stale route use), violations filtered by\n"
    "kind or run, and violations grouped by signature.  Nothing is loaded\n"
    "from the network.  SIGINT (^C) or SIGTERM stops it.\n"
    "\n"
    "options:\n"
    "  --port P      TCP port (default 8080; 0 picks a free port, printed)\n"
    "  --bind ADDR   address to listen on (default 127.0.0.1, this machine\n"
    "                only; 0.0.0.0 exposes the database to the network)\n"
    "\n"
    "exit status: 0 stopped by a signal; 2 usage error, DB unreadable,\n"
    "cannot listen.\n";

#define SV_MAX_HEADERS	8192
#define SV_MAX_BODY	1024
#define SV_MAX_VALUE	256
#define SV_MAX_PER_PAGE	500

struct sv {
	struct event_base *sv_base;
	struct rpt_ctx	 sv_ctx;
	const char	*sv_dbpath;
};

static void
evb_write(void *arg, const void *buf, size_t len)
{
	evbuffer_add((struct evbuffer *)arg, buf, len);
}

static void
sv_reply(struct evhttp_request *req, int code, const char *reason,
    struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	/* Inline style and script only; nothing from anywhere else. */
	evhttp_add_header(h, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'unsafe-inline'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void
sv_error(struct evhttp_request *req, int code, const char *reason,
    const char *detail)
{
	struct evbuffer *b = evbuffer_new();
	struct rpt_out o = { evb_write, b };

	if (b == NULL) {
		evhttp_send_error(req, code, reason);
		return;
	}
	rpt_printf(&o, "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
	    "<title>%d %s</title></head><body><h1>%d %s</h1><p class=\"error"
	    "\">", code, reason, code, reason);
	rpt_esc(&o, detail);
	rpt_puts(&o, "</p><p><a href=\"/\">runs</a></p></body></html>\n");
	sv_reply(req, code, reason, b);
	evbuffer_free(b);
}

/* A positive integer <= max, or -1. */
static int64_t
sv_number(const char *s, int64_t max)
{
	int64_t v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v >= 1 && v <= max ? v : -1;
}

/*
 * Parse the query into q, accepting only the names in `allowed'.
 * Returns NULL, or the problem (a static string) for a 400.
 */
static const char *
sv_parse_query(struct evkeyvalq *kv, const char *query, const char *allowed,
    struct rpt_query *q)
{
	static const char *const verdicts[] = { "running", "pass", "fail",
	    "aborted", "error" };
	struct evkeyval *e;
	const char *k, *v, *p;
	char name[40];
	size_t i;

	q->q_page = 1;
	q->q_per_page = 50;
	if (query == NULL)
		return NULL;
	if (evhttp_parse_query_str(query, kv) != 0)
		return "malformed query string";
	TAILQ_FOREACH(e, kv, next) {
		k = e->key;
		v = e->value;
		if (strlen(k) > 30)
			return "unknown parameter";
		snprintf(name, sizeof(name), " %s ", k);
		if (strstr(allowed, name) == NULL)
			return "unknown parameter";
		if (strlen(v) > SV_MAX_VALUE)
			return "parameter value too long";
		if (strcmp(k, "page") == 0) {
			if ((q->q_page = sv_number(v, 1000000000)) < 0)
				return "page must be a positive number";
		} else if (strcmp(k, "per_page") == 0) {
			if ((q->q_per_page = sv_number(v, SV_MAX_PER_PAGE)) < 0)
				return "per_page must be 1..500";
		} else if (strcmp(k, "run") == 0) {
			if ((q->q_run = sv_number(v, INT64_MAX / 10)) < 0)
				return "run must be a positive number";
		} else if (strcmp(k, "verdict") == 0) {
			if (*v == '\0')
				continue;
			for (i = 0; i < 5 && strcmp(v, verdicts[i]) != 0; i++)
				continue;
			if (i == 5)
				return "verdict must be running, pass, fail, "
				    "aborted or error";
			q->q_verdict = v;
		} else if (strcmp(k, "kind") == 0) {
			if (*v == '\0')
				continue;
			for (p = v; *p != '\0'; p++)
				if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
					return "kind must be a word like "
					    "data_race";
			q->q_kind = v;
		} else if (strcmp(k, "scenario") == 0) {
			if (*v != '\0')
				q->q_scenario = v;
		} else if (strcmp(k, "campaign") == 0) {
			if (*v != '\0')
				q->q_campaign = v;
		}
	}
	return NULL;
}

static void
sv_nav(struct rpt_out *o)
{
	rpt_puts(o, "<nav><a href=\"/\">runs</a><a href=\"/violations\">"
	    "violations</a><a href=\"/signatures\">signatures</a></nav>\n");
}

static void
sv_input(struct rpt_out *o, const char *name, const char *value)
{
	rpt_printf(o, "<label>%s <input name=\"%s\" value=\"", name, name);
	rpt_esc(o, value);
	rpt_puts(o, "\"></label> ");
}

static int
sv_page_runs(struct sv *s, struct rpt_out *o, const struct rpt_query *q)
{
	static const char *const verdicts[] = { "", "running", "pass", "fail",
	    "aborted", "error" };
	size_t i;

	rpt_puts(o, "<form class=\"filter\" method=\"get\" action=\"/runs\">"
	    "<label>verdict <select name=\"verdict\">");
	for (i = 0; i < 6; i++)
		rpt_printf(o, "<option%s>%s</option>", q->q_verdict != NULL &&
		    strcmp(q->q_verdict, verdicts[i]) == 0 ? " selected" : "",
		    verdicts[i]);
	rpt_puts(o, "</select></label> ");
	sv_input(o, "scenario", q->q_scenario);
	sv_input(o, "campaign", q->q_campaign);
	rpt_puts(o, "<button>filter</button></form>\n");
	return rpt_runs(&s->sv_ctx, o, q) < 0 ? -1 : 0;
}

static int
sv_page_violations(struct sv *s, struct rpt_out *o, const struct rpt_query *q)
{
	char run[32] = "";

	if (q->q_run > 0)
		snprintf(run, sizeof(run), "%" PRId64, q->q_run);
	rpt_puts(o, "<form class=\"filter\" method=\"get\" "
	    "action=\"/violations\">");
	sv_input(o, "kind", q->q_kind);
	sv_input(o, "run", run);
	rpt_puts(o, "<button>filter</button></form>\n");
	return rpt_violations(&s->sv_ctx, o, q) < 0 ? -1 : 0;
}

static void
sv_handle(struct evhttp_request *req, void *arg)
{
	struct sv *s = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	struct rpt_query q;
	struct evkeyvalq kv;
	struct evbuffer *b;
	struct rpt_out o;
	const char *path, *problem = NULL, *allowed;
	char title[128];
	int64_t run = 0;
	int rv = 0;

	memset(&q, 0, sizeof(q));
	TAILQ_INIT(&kv);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		sv_error(req, 405, "Method Not Allowed", "read-only: only GET "
		    "and HEAD");
		return;
	}
	path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL || *path == '\0')
		path = "/";
	if (strcmp(path, "/") == 0 || strcmp(path, "/runs") == 0)
		allowed = " page per_page verdict scenario campaign ";
	else if (strcmp(path, "/violations") == 0)
		allowed = " page per_page kind run ";
	else if (strcmp(path, "/signatures") == 0)
		allowed = " ";
	else if (strncmp(path, "/run/", 5) == 0) {
		allowed = " ";
		run = sv_number(path + 5, INT64_MAX / 10);
		if (run < 0) {
			sv_error(req, 404, "Not Found", "no such page (a run "
			    "page is /run/ID with a numeric ID)");
			return;
		}
	} else {
		sv_error(req, 404, "Not Found", "no such page");
		return;
	}
	problem = sv_parse_query(&kv, uri != NULL ? evhttp_uri_get_query(uri) :
	    NULL, allowed, &q);
	if (problem != NULL) {
		evhttp_clear_headers(&kv);
		sv_error(req, 400, "Bad Request", problem);
		return;
	}
	if (run > 0 && !rpt_run_exists(&s->sv_ctx, run)) {
		evhttp_clear_headers(&kv);
		sv_error(req, 404, "Not Found", "no such run");
		return;
	}
	if ((b = evbuffer_new()) == NULL) {
		evhttp_clear_headers(&kv);
		evhttp_send_error(req, 500, "Internal Server Error");
		return;
	}
	o.ro_write = evb_write;
	o.ro_arg = b;
	q.q_link_base = path;
	if (run > 0)
		snprintf(title, sizeof(title), "knit: run %" PRId64, run);
	else
		snprintf(title, sizeof(title), "knit: %s", path[1] != '\0' ?
		    path + 1 : "runs");
	rpt_page_begin(&o, title);
	sv_nav(&o);
	if (run > 0)
		rv = rpt_run_detail(&s->sv_ctx, &o, run);
	else if (strcmp(path, "/violations") == 0)
		rv = sv_page_violations(s, &o, &q);
	else if (strcmp(path, "/signatures") == 0)
		rv = rpt_signatures(&s->sv_ctx, &o) < 0 ? -1 : 0;
	else
		rv = sv_page_runs(s, &o, &q);
	rpt_page_end(&o);
	evhttp_clear_headers(&kv);
	if (rv != 0) {
		evbuffer_free(b);
		sv_error(req, 500, "Internal Server Error",
		    sqlite3_errmsg(s->sv_ctx.rc_sql));
		return;
	}
	sv_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
sv_on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct sv *s = arg;

	(void)what;
	fprintf(stderr, "knit serve: %s, stopping\n", sig == SIGINT ?
	    "SIGINT" : "SIGTERM");
	event_base_loopbreak(s->sv_base);
}

static int
serve_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "knit serve: %s%s\n(see `knit help serve')\n", msg,
	    arg != NULL ? arg : "");
	return 2;
}

/* The port actually bound (for --port 0). */
static int
bound_port(struct evhttp_bound_socket *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&ss,
	    &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

int
cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *bind_addr = "127.0.0.1";
	struct evhttp_bound_socket *bound;
	struct event *sigint = NULL, *sigterm = NULL;
	struct evhttp *http = NULL;
	struct db_err err;
	struct sv s;
	struct db *db;
	unsigned char a6[16];
	char *end;
	long port = 8080;
	int ch, rv = 2;

	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			port = strtol(optarg, &end, 10);
			if (*end != '\0' || *optarg == '\0' || port < 0 ||
			    port > 65535)
				return serve_usage("--port: not a port number "
				    "0..65535: ", optarg);
			break;
		case 'b':
			bind_addr = optarg;
			if (inet_pton(AF_INET, optarg, a6) != 1 &&
			    inet_pton(AF_INET6, optarg, a6) != 1)
				return serve_usage("--bind: not a numeric IPv4 "
				    "or IPv6 address: ", optarg);
			break;
		case 'h':
			fputs(cmd_serve_help, stdout);
			return 0;
		default:
			return serve_usage("bad option", NULL);
		}
	}
	if (optind != argc - 1)
		return serve_usage("expected exactly one database file", NULL);
	db = db_open(argv[optind], DB_OPEN_READONLY, &err);
	if (db == NULL) {
		fprintf(stderr, "knit serve: %s\n", err.de_msg);
		return 2;
	}
	s.sv_dbpath = argv[optind];
	s.sv_ctx.rc_sql = db_sqlite(db);
	s.sv_ctx.rc_dbpath = argv[optind];
	s.sv_ctx.rc_max_events = 20000;
	s.sv_ctx.rc_serve = 1;
	/* A client that goes away mid-reply must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if ((s.sv_base = event_base_new()) == NULL ||
	    (http = evhttp_new(s.sv_base)) == NULL) {
		fprintf(stderr, "knit serve: cannot set up libevent\n");
		goto out;
	}
	/* Every method reaches sv_handle, which answers 405 (evhttp: 501). */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, SV_MAX_HEADERS);
	evhttp_set_max_body_size(http, SV_MAX_BODY);
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, sv_handle, &s);
	bound = evhttp_bind_socket_with_handle(http, bind_addr,
	    (ev_uint16_t)port);
	if (bound == NULL) {
		fprintf(stderr, "knit serve: cannot listen on %s port %ld: %m\n",
		    bind_addr, port);
		goto out;
	}
	sigint = evsignal_new(s.sv_base, SIGINT, sv_on_signal, &s);
	sigterm = evsignal_new(s.sv_base, SIGTERM, sv_on_signal, &s);
	if (sigint == NULL || sigterm == NULL || evsignal_add(sigint, NULL) ||
	    evsignal_add(sigterm, NULL)) {
		fprintf(stderr, "knit serve: cannot catch signals\n");
		goto out;
	}
	printf("knit serve: %s on http://%s%s%s:%d/ (read-only; ^C stops)\n",
	    argv[optind], strchr(bind_addr, ':') ? "[" : "", bind_addr,
	    strchr(bind_addr, ':') ? "]" : "", bound_port(bound));
	fflush(stdout);
	event_base_dispatch(s.sv_base);
	rv = 0;
out:
	if (sigint != NULL)
		event_free(sigint);
	if (sigterm != NULL)
		event_free(sigterm);
	if (http != NULL)
		evhttp_free(http);
	if (s.sv_base != NULL)
		event_base_free(s.sv_base);
	db_close(db);
	return rv;
}
