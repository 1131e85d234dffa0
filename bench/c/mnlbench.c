/* mnlbench: the libmnl reference for the dump (3) and RTM_GETLINK (4)
 * workloads, written the way libmnl's examples are (mnl_cb_run with an
 * attribute callback), printing RESULT lines like nlbench.
 *
 *   mnlbench dump REPS           dump and decode the IPv4 routes, REPS times
 *   mnlbench getlink N REPS [W]  N RTM_GETLINK round trips for lo, the reply
 *                                decoded (index, name, MTU), REPS times;
 *                                RESULT lines name workload W (getlink)
 *
 * It is a reference, not the floor: libmnl fills a table of attributes per
 * message through a callback, which the Go floor does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>

#define BUFSZ 32768 /* the same 32 KiB receive buffer as the Go programs */

static char buf[BUFSZ];

struct acc { long count; uint64_t sum; };

static int64_t cpu_ns(void) {
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static int64_t wall_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int route_attr_cb(const struct nlattr *attr, void *data) {
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);
	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_TABLE:
	case RTA_DST:
	case RTA_OIF:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data) {
	struct acc *a = data;
	struct nlattr *tb[RTA_MAX + 1] = {};
	struct rtmsg *rm = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*rm), route_attr_cb, tb);
	uint32_t table = rm->rtm_table, dst = 0, oif = 0;
	if (tb[RTA_TABLE]) table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_DST]) dst = ntohl(mnl_attr_get_u32(tb[RTA_DST]));
	if (tb[RTA_OIF]) oif = mnl_attr_get_u32(tb[RTA_OIF]);
	if (rm->rtm_family == AF_INET && rm->rtm_dst_len == 24 && table == RT_TABLE_MAIN) {
		a->count++;
		a->sum += ((uint64_t)dst << 16) + oif;
	}
	return MNL_CB_OK;
}

static void dump(struct mnl_socket *nl, unsigned portid, unsigned seq, struct acc *a) {
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	rtm->rtm_family = AF_INET;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) { perror("sendto"); exit(1); }
	int ret;
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, portid, route_cb, a);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret == -1) { perror("dump"); exit(1); }
}

struct link_acc { long ok; uint64_t sum; };

static int link_attr_cb(const struct nlattr *attr, void *data) {
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);
	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data) {
	struct link_acc *a = data;
	struct nlattr *tb[IFLA_MAX + 1] = {};
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_ERROR;
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	const char *name = tb[IFLA_IFNAME] ? mnl_attr_get_str(tb[IFLA_IFNAME]) : "";
	uint32_t mtu = tb[IFLA_MTU] ? mnl_attr_get_u32(tb[IFLA_MTU]) : 0;
	size_t len = strnlen(name, tb[IFLA_IFNAME] ? mnl_attr_get_payload_len(tb[IFLA_IFNAME]) : 0);
	if (ifm->ifi_index == 1 && len == 2 && !memcmp(name, "lo", 2) && mtu > 0)
		a->ok++;
	a->sum += mtu + len;
	return MNL_CB_OK;
}

static void getlink(struct mnl_socket *nl, unsigned portid, unsigned seq, struct link_acc *ok) {
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 1;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) { perror("sendto"); exit(1); }
	int ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0 || mnl_cb_run(buf, ret, seq, portid, link_cb, ok) < 0) { perror("getlink"); exit(1); }
}

int main(int argc, char **argv) {
	if (argc < 3) { fprintf(stderr, "usage: mnlbench dump REPS | getlink N REPS [W]\n"); return 2; }
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) { perror("mnl_socket"); return 1; }
	unsigned portid = mnl_socket_get_portid(nl), seq = time(NULL);
	if (!strcmp(argv[1], "dump")) {
		int reps = atoi(argv[2]);
		struct acc warm = {};
		dump(nl, portid, ++seq, &warm);
		for (int r = 0; r < reps; r++) {
			struct acc a = {};
			int64_t c0 = cpu_ns(), t0 = wall_ns();
			dump(nl, portid, ++seq, &a);
			printf("RESULT w=dump impl=libmnl ops=1 cpu_ns=%lld wall_ns=%lld allocs=0 bytes=0 count=%ld check=%llx\n",
			       (long long)(cpu_ns() - c0), (long long)(wall_ns() - t0), a.count, (unsigned long long)a.sum);
		}
	} else if (!strcmp(argv[1], "getlink") && (argc == 4 || argc == 5)) {
		long n = atol(argv[2]);
		int reps = atoi(argv[3]);
		const char *w = argc == 5 ? argv[4] : "getlink";
		struct link_acc warm = {};
		for (long i = 0; i < n; i++) getlink(nl, portid, ++seq, &warm);
		for (int r = 0; r < reps; r++) {
			struct link_acc a = {};
			int64_t c0 = cpu_ns(), t0 = wall_ns();
			for (long i = 0; i < n; i++) getlink(nl, portid, ++seq, &a);
			printf("RESULT w=%s impl=libmnl ops=%ld cpu_ns=%lld wall_ns=%lld allocs=0 bytes=0 count=%ld check=%llx\n",
			       w, n, (long long)(cpu_ns() - c0), (long long)(wall_ns() - t0), a.ok, (unsigned long long)a.sum);
		}
	} else {
		return 2;
	}
	mnl_socket_close(nl);
	return 0;
}
