// SPDX-License-Identifier: GPL-2.0
//go:build ignore

// (The go:build line keeps the Go tool, which shares this directory for the
// end-to-end test, from taking this file for cgo code; C compilers ignore it.)

/*
 * hello_nl - the kernel half of a netlink "hello" round trip.
 *
 * The module opens a kernel netlink socket on protocol `proto` (a module
 * parameter, 30 by default). Every datagram a user-space socket sends to it
 * (destination port 0) is checked, logged, and answered with one message to
 * the sending socket's port:
 *
 *     hello from kernel, got: <request payload>
 *
 * The reply carries the request's sequence number, type NLMSG_MIN_TYPE and
 * no flags. Only the first netlink message of a datagram is looked at.
 * Datagrams too short to hold a netlink header, or whose header claims a
 * length that does not fit, are logged and dropped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <net/sock.h>

/* At most this many bytes of the request are echoed back (and logged). */
#define HELLO_NL_MAX_ECHO 256

static const char hello_nl_prefix[] = "hello from kernel, got: ";

static int proto = 30;
module_param(proto, int, 0444);
MODULE_PARM_DESC(proto, "netlink protocol number to serve (0..31, default 30)");

static struct sock *hello_nl_sock;

/* hello_nl_reply sends the answer to one request to user-space port @portid. */
static void hello_nl_reply(u32 portid, u32 seq, const char *msg, size_t msg_len)
{
	size_t prefix_len = sizeof(hello_nl_prefix) - 1;
	size_t len = prefix_len + msg_len;
	struct nlmsghdr *nlh;
	struct sk_buff *out;
	char *data;
	int err;

	out = nlmsg_new(len, GFP_KERNEL);
	if (!out) {
		pr_warn_ratelimited("no memory for the reply to port %u\n", portid);
		return;
	}

	nlh = nlmsg_put(out, 0, seq, NLMSG_MIN_TYPE, len, 0);
	if (!nlh) {
		pr_warn_ratelimited("reply to port %u does not fit\n", portid);
		nlmsg_free(out);
		return;
	}

	data = nlmsg_data(nlh);
	memcpy(data, hello_nl_prefix, prefix_len);
	memcpy(data + prefix_len, msg, msg_len);

	/* netlink_unicast consumes @out whether it succeeds or not. */
	err = netlink_unicast(hello_nl_sock, out, portid, MSG_DONTWAIT);
	if (err < 0)
		pr_warn_ratelimited("reply to port %u failed: %d\n", portid, err);
}

/*
 * hello_nl_input is called, in the sender's context, for every datagram sent
 * to the kernel socket. The skb belongs to the netlink core: we only read it.
 */
static void hello_nl_input(struct sk_buff *skb)
{
	u32 portid = NETLINK_CB(skb).portid;
	const struct nlmsghdr *nlh;
	const char *payload;
	size_t payload_len;

	if (skb->len < NLMSG_HDRLEN) {
		pr_warn_ratelimited("dropping short message (%u bytes) from port %u\n",
				    skb->len, portid);
		return;
	}

	nlh = nlmsg_hdr(skb);
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > skb->len) {
		pr_warn_ratelimited("dropping bad message from port %u (nlmsg_len %u, %u bytes received)\n",
				    portid, nlh->nlmsg_len, skb->len);
		return;
	}

	/* Port 0 is the kernel itself: there is nobody to answer. */
	if (!portid)
		return;

	/*
	 * Treat the payload as a string: stop at the first NUL (C clients
	 * often send one) and never look past HELLO_NL_MAX_ECHO bytes.
	 */
	payload = nlmsg_data(nlh);
	payload_len = strnlen(payload, min_t(size_t, nlmsg_len(nlh), HELLO_NL_MAX_ECHO));

	pr_info_ratelimited("received \"%.*s\" (type %u, seq %u) from port %u\n",
			    (int)payload_len, payload, nlh->nlmsg_type,
			    nlh->nlmsg_seq, portid);

	hello_nl_reply(portid, nlh->nlmsg_seq, payload, payload_len);
}

static int __init hello_nl_init(void)
{
	struct netlink_kernel_cfg cfg = {
		.input = hello_nl_input,
	};

	if (proto < 0 || proto >= MAX_LINKS) {
		pr_err("proto=%d is out of range (0..%d)\n", proto, MAX_LINKS - 1);
		return -EINVAL;
	}

	hello_nl_sock = netlink_kernel_create(&init_net, proto, &cfg);
	if (!hello_nl_sock) {
		/* Most likely another kernel socket already serves @proto. */
		pr_err("cannot create a netlink socket for protocol %d (in use?)\n",
		       proto);
		return -EBUSY;
	}

	pr_info("listening on netlink protocol %d\n", proto);
	return 0;
}

static void __exit hello_nl_exit(void)
{
	netlink_kernel_release(hello_nl_sock);
	pr_info("released netlink protocol %d\n", proto);
}

module_init(hello_nl_init);
module_exit(hello_nl_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("nlkit authors");
MODULE_DESCRIPTION("Answers netlink hello messages on a configurable protocol");
