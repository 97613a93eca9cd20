/*
 * zepsync-devbroker: librdkafka's mock cluster in a process of its own, so every other process
 * (our workers, kcat, tests) talks to it over TCP with the real Kafka protocol. Dev and test only:
 * data lives in memory, and the mock keeps only the newest few MB per partition.
 *
 * The optional HTTP control interface exposes the mock's fault injection to tests (see README.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <microhttpd.h>

#include "core/zs_buf.h"
#include "kafka/zs_kafka.h"
#include "log/zs_log.h"

#define MAX_BROKERS 32
#define MAX_TOPICS 64

static const char usage[] =
    "usage: zepsync-devbroker [options]\n"
    "\n"
    "Runs an in-memory Kafka cluster (librdkafka's mock cluster) for development and tests,\n"
    "creates the zepsync topics and their .retry/.dlq topics, prints the bootstrap list on\n"
    "stdout and runs until SIGTERM or SIGINT.\n"
    "\n"
    "  --brokers N            number of brokers (default 3)\n"
    "  --partitions N         partitions per topic (default 6)\n"
    "  --bootstrap-file FILE  also write the bootstrap list to FILE (atomically)\n"
    "  --control HOST:PORT    serve the HTTP control interface (fault injection) there\n"
    "  --topic NAME           create an extra topic (repeatable)\n"
    "  --die-with-parent      stop (as on SIGTERM) when the parent process exits (tests)\n"
    "  --help                 this text\n"
    "\n"
    "Limits: memory only; each partition keeps only its newest few MB; ListOffsets by\n"
    "timestamp is not implemented by the mock (offsets_for_times returns the end).\n";

typedef struct broker_state {
    rd_kafka_mock_cluster_t *mc;
    const char *bootstraps;
    int brokers;
    int partitions;
    pthread_mutex_t lock; /* guards down[], rtt[] and topics[] against concurrent requests */
    int down[MAX_BROKERS + 1];
    int rtt[MAX_BROKERS + 1];
    char *topics[MAX_TOPICS];
    int n_topics;
} broker_state;

static int parse_int(const char *s, long min, long max, long *out)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* "OffsetCommit" or "8" */
static int parse_api_key(const char *s, long *out)
{
    static const struct {
        const char *name;
        int key;
    } keys[] = {
        {"Produce", 0},        {"Fetch", 1},          {"ListOffsets", 2},
        {"Metadata", 3},       {"OffsetCommit", 8},   {"OffsetFetch", 9},
        {"FindCoordinator", 10}, {"JoinGroup", 11},   {"Heartbeat", 12},
        {"LeaveGroup", 13},    {"SyncGroup", 14},     {"ApiVersion", 18},
        {"InitProducerId", 22}, {"OffsetForLeaderEpoch", 23},
    };
    if (parse_int(s, 0, 100, out) == 0)
        return 0;
    for (size_t i = 0; s && i < sizeof keys / sizeof keys[0]; i++)
        if (strcasecmp(s, keys[i].name) == 0) {
            *out = keys[i].key;
            return 0;
        }
    return -1;
}

/* "27", "REBALANCE_IN_PROGRESS" or "_TRANSPORT" */
static int parse_err_code(const char *s, long *out)
{
    if (parse_int(s, -200, 200, out) == 0)
        return 0;
    const struct rd_kafka_err_desc *descs;
    size_t n;
    rd_kafka_get_err_descs(&descs, &n);
    for (size_t i = 0; s && i < n; i++)
        if (descs[i].name && strcasecmp(s, descs[i].name) == 0) {
            *out = descs[i].code;
            return 0;
        }
    return -1;
}

static int add_topic(broker_state *st, const char *name, int partitions, char *why, size_t cap)
{
    if (st->n_topics >= MAX_TOPICS) {
        snprintf(why, cap, "too many topics");
        return -1;
    }
    int rf = st->brokers < 3 ? st->brokers : 3;
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(st->mc, name, partitions, rf);
    if (e) {
        snprintf(why, cap, "%s", rd_kafka_err2str(e));
        return -1;
    }
    char *copy = strdup(name);
    if (!copy) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    st->topics[st->n_topics++] = copy;
    return 0;
}

/* ---- HTTP control interface ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    char esc[512], body[600];
    snprintf(body, sizeof body, "{\"error\":\"%s\"}", zs_log_json_escape(msg, esc, sizeof esc));
    return reply(conn, status, body);
}

static const char *arg(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result status_json(struct MHD_Connection *conn, broker_state *st)
{
    zs_buf b;
    zs_buf_init(&b);
    char esc[1024];
    pthread_mutex_lock(&st->lock);
    zs_buf_printf(&b, "{\"bootstrap\":\"%s\",\"brokers\":[",
                  zs_log_json_escape(st->bootstraps, esc, sizeof esc));
    for (int i = 1; i <= st->brokers; i++)
        zs_buf_printf(&b, "%s{\"id\":%d,\"up\":%s,\"rtt_ms\":%d}", i > 1 ? "," : "", i,
                      st->down[i] ? "false" : "true", st->rtt[i]);
    zs_buf_printf(&b, "],\"partitions\":%d,\"topics\":[", st->partitions);
    for (int i = 0; i < st->n_topics; i++)
        zs_buf_printf(&b, "%s\"%s\"", i ? "," : "", zs_log_json_escape(st->topics[i], esc, sizeof esc));
    zs_buf_puts(&b, "]}");
    pthread_mutex_unlock(&st->lock);
    enum MHD_Result r = b.oom ? reply_error(conn, 500, "out of memory") : reply(conn, 200, zs_buf_str(&b));
    zs_buf_release(&b);
    return r;
}

/* "/brokers/<id>/<verb>": id "all" or -1 means every broker. */
static enum MHD_Result broker_action(struct MHD_Connection *conn, broker_state *st,
                                     const char *rest, int get)
{
    char idbuf[16], verb[32];
    const char *slash = strchr(rest, '/');
    if (!slash || (size_t)(slash - rest) >= sizeof idbuf)
        return reply_error(conn, 404, "expected /brokers/<id>/<down|up|rtt|errors>");
    memcpy(idbuf, rest, (size_t)(slash - rest));
    idbuf[slash - rest] = '\0';
    snprintf(verb, sizeof verb, "%s", slash + 1);
    long id;
    if (strcmp(idbuf, "all") == 0)
        id = -1;
    else if (parse_int(idbuf, -1, st->brokers, &id) || id == 0)
        return reply_error(conn, 400, "broker id must be 1..N, -1 or all");
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (get) {
        /* GET /brokers/<id>/errors?api=K: how many injected errors are still waiting. */
        long api;
        size_t cnt = 0;
        if (strcmp(verb, "errors") != 0)
            return reply_error(conn, 404, "only GET /brokers/<id>/errors?api=K");
        if (id < 1 || parse_api_key(arg(conn, "api"), &api))
            return reply_error(conn, 400, "needs one broker id and api=");
        e = rd_kafka_mock_broker_error_stack_cnt(st->mc, (int32_t)id, (int16_t)api, &cnt);
        if (e)
            return reply_error(conn, 400, rd_kafka_err2str(e));
        char body[128];
        snprintf(body, sizeof body, "{\"broker\":%ld,\"api\":%ld,\"remaining\":%zu}", id, api, cnt);
        return reply(conn, 200, body);
    }
    if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) {
        int down = verb[0] == 'd';
        e = down ? rd_kafka_mock_broker_set_down(st->mc, (int32_t)id)
                 : rd_kafka_mock_broker_set_up(st->mc, (int32_t)id);
        if (!e) {
            pthread_mutex_lock(&st->lock);
            for (int i = 1; i <= st->brokers; i++)
                if (id == -1 || id == i)
                    st->down[i] = down;
            pthread_mutex_unlock(&st->lock);
        }
    } else if (strcmp(verb, "rtt") == 0) {
        long ms;
        if (parse_int(arg(conn, "ms"), 0, 600000, &ms))
            return reply_error(conn, 400, "rtt needs ms=0..600000");
        e = rd_kafka_mock_broker_set_rtt(st->mc, (int32_t)id, (int)ms);
        if (!e) {
            pthread_mutex_lock(&st->lock);
            for (int i = 1; i <= st->brokers; i++)
                if (id == -1 || id == i)
                    st->rtt[i] = (int)ms;
            pthread_mutex_unlock(&st->lock);
        }
    } else if (strcmp(verb, "errors") == 0) {
        long api, count, code, rtt = 0;
        if (id < 1)
            return reply_error(conn, 400, "per-broker errors need one broker id");
        if (parse_api_key(arg(conn, "api"), &api) || parse_int(arg(conn, "count"), 1, 10000, &count) ||
            parse_err_code(arg(conn, "code"), &code) ||
            (arg(conn, "rtt") && parse_int(arg(conn, "rtt"), 0, 600000, &rtt)))
            return reply_error(conn, 400, "errors needs api=, count=1..10000, code= [rtt=ms]");
        /* The call is variadic in (err, rtt) pairs, so push one pair at a time. */
        for (long i = 0; i < count && !e; i++)
            e = rd_kafka_mock_broker_push_request_error_rtts(st->mc, (int32_t)id, (int16_t)api, 1,
                                                             (rd_kafka_resp_err_t)code, (int)rtt);
    } else {
        return reply_error(conn, 404, "unknown broker action");
    }
    if (e)
        return reply_error(conn, 400, rd_kafka_err2str(e));
    return status_json(conn, st);
}

/* POST /errors?api=&count=&code=   DELETE /errors?api= */
static enum MHD_Result cluster_errors(struct MHD_Connection *conn, broker_state *st, int clear)
{
    long api, count = 0, code = 0;
    if (parse_api_key(arg(conn, "api"), &api))
        return reply_error(conn, 400, "api= must be an API key number or name");
    if (clear) {
        rd_kafka_mock_clear_request_errors(st->mc, (int16_t)api);
        return reply(conn, 200, "{\"cleared\":true}");
    }
    if (parse_int(arg(conn, "count"), 1, 10000, &count) || parse_err_code(arg(conn, "code"), &code))
        return reply_error(conn, 400, "errors needs count=1..10000 and code= (number or name)");
    rd_kafka_resp_err_t *errs = calloc((size_t)count, sizeof *errs);
    if (!errs)
        return reply_error(conn, 500, "out of memory");
    for (long i = 0; i < count; i++)
        errs[i] = (rd_kafka_resp_err_t)code;
    rd_kafka_mock_push_request_errors_array(st->mc, (int16_t)api, (size_t)count, errs);
    free(errs);
    char body[128];
    snprintf(body, sizeof body, "{\"api\":%ld,\"count\":%ld,\"code\":%ld}", api, count, code);
    return reply(conn, 200, body);
}

/* POST /topics?name=&partitions=   POST /leader?topic=&partition=&broker= */
static enum MHD_Result topic_create(struct MHD_Connection *conn, broker_state *st)
{
    const char *name = arg(conn, "name");
    long parts = st->partitions;
    if (!name || !*name || strlen(name) >= ZS_KAFKA_TOPIC_MAX ||
        (arg(conn, "partitions") && parse_int(arg(conn, "partitions"), 1, 1000, &parts)))
        return reply_error(conn, 400, "topics needs name= and optional partitions=1..1000");
    char why[256];
    pthread_mutex_lock(&st->lock);
    int rc = add_topic(st, name, (int)parts, why, sizeof why);
    pthread_mutex_unlock(&st->lock);
    if (rc)
        return reply_error(conn, 400, why);
    return status_json(conn, st);
}

static enum MHD_Result set_leader(struct MHD_Connection *conn, broker_state *st)
{
    const char *topic = arg(conn, "topic");
    long part, broker;
    if (!topic || parse_int(arg(conn, "partition"), 0, 100000, &part) ||
        parse_int(arg(conn, "broker"), -1, st->brokers, &broker))
        return reply_error(conn, 400, "leader needs topic=, partition= and broker=1..N (-1: none)");
    rd_kafka_resp_err_t e =
        rd_kafka_mock_partition_set_leader(st->mc, topic, (int32_t)part, (int32_t)broker);
    if (e)
        return reply_error(conn, 400, rd_kafka_err2str(e));
    return reply(conn, 200, "{\"ok\":true}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    broker_state *st = cls;
    static int first_call_marker;
    /* MHD calls once with the headers, then per body chunk; act only when the body is in. */
    if (*con_cls == NULL) {
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* bodies are ignored: everything is in the query string */
        return MHD_YES;
    }
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0,
        del = strcmp(method, "DELETE") == 0;
    if (get && strcmp(url, "/healthz") == 0)
        return reply(conn, 200, "{\"ok\":true}");
    if (get && (strcmp(url, "/") == 0 || strcmp(url, "/status") == 0))
        return status_json(conn, st);
    if ((post || get) && strncmp(url, "/brokers/", 9) == 0)
        return broker_action(conn, st, url + 9, get);
    if ((post || del) && strcmp(url, "/errors") == 0)
        return cluster_errors(conn, st, del);
    if (post && strcmp(url, "/topics") == 0)
        return topic_create(conn, st);
    if (post && strcmp(url, "/leader") == 0)
        return set_leader(conn, st);
    return reply_error(conn, 404, "no such control endpoint (see tools/devbroker/README.md)");
}

static struct MHD_Daemon *start_control(broker_state *st, const char *spec)
{
    char host[256];
    const char *colon = strrchr(spec, ':');
    long port;
    if (!colon || (size_t)(colon - spec) >= sizeof host || parse_int(colon + 1, 1, 65535, &port)) {
        zs_error("--control wants HOST:PORT, got '%s'", spec);
        return NULL;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) != 1) {
        zs_error("--control host must be an IPv4 address, got '%s'", host);
        return NULL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL, on_request,
        st, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
        MHD_OPTION_END);
    if (!d)
        zs_error("cannot serve the control interface on %s", spec);
    return d;
}

static int write_bootstrap_file(const char *path, const char *bootstraps)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
        return -1;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, "%s\n", bootstraps) < 0;
    bad |= fclose(f) != 0;
    /* rename makes the file appear complete: readers poll for a non-empty file. */
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long brokers = 3, partitions = 6;
    const char *bootstrap_file = NULL, *control = NULL;
    const char *extra[MAX_TOPICS];
    int n_extra = 0, die_with_parent = 0;
    zs_log_init("devbroker", ZS_LOG_INFO);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--brokers") == 0 && v) {
            if (parse_int(v, 1, MAX_BROKERS, &brokers)) {
                fprintf(stderr, "--brokers must be 1..%d\n", MAX_BROKERS);
                return 2;
            }
            i++;
        } else if (strcmp(a, "--partitions") == 0 && v) {
            if (parse_int(v, 1, 1000, &partitions)) {
                fprintf(stderr, "--partitions must be 1..1000\n");
                return 2;
            }
            i++;
        } else if (strcmp(a, "--bootstrap-file") == 0 && v) {
            bootstrap_file = v;
            i++;
        } else if (strcmp(a, "--control") == 0 && v) {
            control = v;
            i++;
        } else if (strcmp(a, "--die-with-parent") == 0) {
            die_with_parent = 1;
        } else if (strcmp(a, "--topic") == 0 && v) {
            if (n_extra >= MAX_TOPICS - 12) {
                fprintf(stderr, "too many --topic\n");
                return 2;
            }
            extra[n_extra++] = v;
            i++;
        } else {
            fprintf(stderr, "unknown or incomplete option '%s'\n%s", a, usage);
            return 2;
        }
    }

    /* Block the stop signals before any thread exists, so only sigwait below sees them. */
    sigset_t stopset;
    sigemptyset(&stopset);
    sigaddset(&stopset, SIGTERM);
    sigaddset(&stopset, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopset, NULL);
    /* A test killed by its timeout must not leave its broker behind; SIGTERM lands in sigwait. */
    pid_t parent = getppid();
    if (die_with_parent && (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)) {
        fprintf(stderr, "parent already gone\n");
        return 1;
    }

    static broker_state st;
    pthread_mutex_init(&st.lock, NULL);
    st.brokers = (int)brokers;
    st.partitions = (int)partitions;

    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf)
        return 1;
    /* The handle only hosts the cluster; it never connects anywhere itself. */
    /* log_level 4 hides the notice that this handle has no bootstrap.servers of its own. */
    if (rd_kafka_conf_set(conf, "client.id", "zepsync-devbroker", errstr, sizeof errstr) ||
        rd_kafka_conf_set(conf, "log_level", "4", errstr, sizeof errstr)) {
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        zs_error("rd_kafka_new: %s", errstr);
        return 1;
    }
    st.mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
    if (!st.mc) {
        zs_error("cannot create the mock cluster");
        rd_kafka_destroy(rk);
        return 1;
    }
    st.bootstraps = rd_kafka_mock_cluster_bootstraps(st.mc);

    int status = 1;
    struct MHD_Daemon *mhd = NULL;
    char why[256], name[ZS_KAFKA_TOPIC_MAX];
    zs_err err;
    for (int i = 0; zs_kafka_main_topics[i]; i++) {
        const char *t = zs_kafka_main_topics[i];
        if (add_topic(&st, t, (int)partitions, why, sizeof why) ||
            zs_kafka_topic_retry(t, name, sizeof name, &err) ||
            add_topic(&st, name, (int)partitions, why, sizeof why) ||
            zs_kafka_topic_dlq(t, name, sizeof name, &err) ||
            add_topic(&st, name, (int)partitions, why, sizeof why)) {
            zs_error("creating topics for %s failed", t);
            goto out;
        }
    }
    for (int i = 0; i < n_extra; i++)
        if (add_topic(&st, extra[i], (int)partitions, why, sizeof why)) {
            zs_error("creating topic %s: %s", extra[i], why);
            goto out;
        }
    if (control && !(mhd = start_control(&st, control)))
        goto out;
    if (bootstrap_file && write_bootstrap_file(bootstrap_file, st.bootstraps)) {
        zs_error("cannot write %s: %s", bootstrap_file, strerror(errno));
        goto out;
    }
    printf("%s\n", st.bootstraps);
    fflush(stdout);
    {
        char esc[512], fields[700];
        snprintf(fields, sizeof fields, "\"bootstrap\":\"%s\",\"brokers\":%ld,\"partitions\":%ld",
                 zs_log_json_escape(st.bootstraps, esc, sizeof esc), brokers, partitions);
        zs_log_kv(ZS_LOG_INFO, NULL, NULL, fields, "devbroker ready%s%s",
                  control ? ", control on " : "", control ? control : "");
    }
    int sig = 0;
    if (sigwait(&stopset, &sig) != 0)
        goto out;
    zs_info("devbroker stopping on signal %d", sig);
    status = 0;
out:
    if (mhd)
        MHD_stop_daemon(mhd);
    rd_kafka_mock_cluster_destroy(st.mc);
    rd_kafka_destroy(rk);
    for (int i = 0; i < st.n_topics; i++)
        free(st.topics[i]);
    pthread_mutex_destroy(&st.lock);
    return status;
}
