// SPDX-License-Identifier: GPL-2.0
//go:build ignore

// (The go:build line keeps the Go tool, which shares this directory for the
// end-to-end test, from taking this file for cgo code; C compilers ignore it.)

/*
 * hello_nl - the kernel half of a netlink "hello" round trip.
 *
 * The module opens a kernel netlink socket on protocol `proto` (a module
 * parameter, 30 by default) in the initial network namespace. Every datagram
 * a user-space socket sends to it (destination port 0) is checked and handed
 * to netlink_rcv_skb, which calls hello_nl_rcv_msg for each request in it
 * and sends the ACKs and errors the way every kernel netlink protocol does.
 * A hello request (type NLMSG_MIN_TYPE, flag NLM_F_REQUEST) is logged and
 * answered with one message to the sending socket's port:
 *
 *     hello from kernel, got: <request payload>
 *
 * The reply carries the request's sequence number, type NLMSG_MIN_TYPE and
 * no flags. A request with NLM_F_ACK then gets an ACK (NLMSG_ERROR, error 0).
 * Other message types get -EOPNOTSUPP, an empty payload -EINVAL, both as
 * NLMSG_ERROR with an extended ACK message. Datagrams that are not a whole
 * sequence of netlink messages are logged and dropped.
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

/* The one message type the module serves. */
#define HELLO_NL_MSG_HELLO NLMSG_MIN_TYPE

/* At most this many bytes of the request are echoed back (and logged). */
#define HELLO_NL_MAX_ECHO 256

static const char hello_nl_prefix[] = "hello from kernel, got: ";

static int proto = 30;
module_param(proto, int, 0444);
MODULE_PARM_DESC(proto, "netlink protocol number to serve (0..31, default 30)");

static struct sock *hello_nl_sock;

/*
 * hello_nl_reply sends the answer to one request to user-space port @portid.
 * It returns 0 or a negative errno, which netlink_rcv_skb sends back.
 */
static int hello_nl_reply(u32 portid, u32 seq, const char *msg, size_t msg_len)
{
	size_t prefix_len = sizeof(hello_nl_prefix) - 1;
	size_t len = prefix_len + msg_len;
	struct nlmsghdr *nlh;
	struct sk_buff *out;
	char *data;
	int err;

	out = nlmsg_new(len, GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	nlh = nlmsg_put(out, 0, seq, HELLO_NL_MSG_HELLO, len, 0);
	if (!nlh) {
		nlmsg_free(out);
		return -EMSGSIZE;
	}

	data = nlmsg_data(nlh);
	memcpy(data, hello_nl_prefix, prefix_len);
	memcpy(data + prefix_len, msg, msg_len);

	/* netlink_unicast consumes @out whether it succeeds or not. */
	err = netlink_unicast(hello_nl_sock, out, portid, MSG_DONTWAIT);
	if (err < 0) {
		pr_warn_ratelimited("reply to port %u failed: %d\n", portid, err);
		return err;
	}
	return 0;
}

/*
 * hello_nl_rcv_msg handles one request; netlink_rcv_skb calls it only for
 * messages with NLM_F_REQUEST and a type of at least NLMSG_MIN_TYPE. Its
 * return value becomes the error code of the NLMSG_ERROR message that
 * netlink_rcv_skb sends when it is not 0, or when the request has NLM_F_ACK.
 */
static int hello_nl_rcv_msg(struct sk_buff *skb, struct nlmsghdr *nlh,
			    struct netlink_ext_ack *extack)
{
	u32 portid = NETLINK_CB(skb).portid;
	const char *payload = nlmsg_data(nlh);
	size_t payload_len;

	if (nlh->nlmsg_type != HELLO_NL_MSG_HELLO) {
		NL_SET_ERR_MSG_MOD(extack, "unknown message type");
		return -EOPNOTSUPP;
	}

	/*
	 * Treat the payload as a string: stop at the first NUL (C clients
	 * often send one) and never look past HELLO_NL_MAX_ECHO bytes.
	 */
	payload_len = strnlen(payload, min_t(size_t, nlmsg_len(nlh), HELLO_NL_MAX_ECHO));
	if (!payload_len) {
		NL_SET_ERR_MSG_MOD(extack, "empty hello message");
		return -EINVAL;
	}

	/* %*pE escapes what is not printable: the bytes come from anyone. */
	pr_info_ratelimited("received \"%*pE\" (type %u, seq %u) from port %u\n",
			    (int)payload_len, payload, nlh->nlmsg_type,
			    nlh->nlmsg_seq, portid);

	return hello_nl_reply(portid, nlh->nlmsg_seq, payload, payload_len);
}

/*
 * hello_nl_check reports whether the datagram in @skb is a sequence of whole
 * netlink messages, and logs why not. netlink_rcv_skb would quietly stop at
 * the first bad one; a tutorial had better say so, and act on all or none.
 */
static bool hello_nl_check(const struct sk_buff *skb)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(skb);
	u32 portid = NETLINK_CB(skb).portid;
	int rem = skb->len;

	if (rem < NLMSG_HDRLEN) {
		pr_warn_ratelimited("dropping short message (%d bytes) from port %u\n",
				    rem, portid);
		return false;
	}
	while (nlmsg_ok(nlh, rem))
		nlh = nlmsg_next(nlh, &rem);
	/* rem is negative when the last message lacks its padding: fine. */
	if (rem > 0) {
		pr_warn_ratelimited("dropping bad message from port %u (%d bytes at offset %d are not a netlink message)\n",
				    portid, rem, (int)skb->len - rem);
		return false;
	}
	return true;
}

/*
 * hello_nl_input is called, in the sender's context, for every datagram sent
 * to the kernel socket. The skb belongs to the netlink core.
 */
static void hello_nl_input(struct sk_buff *skb)
{
	if (hello_nl_check(skb))
		netlink_rcv_skb(skb, hello_nl_rcv_msg);
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

	/*
	 * The initial network namespace only: a socket in another namespace
	 * can be opened (protocols are registered for the whole machine) but
	 * finds no kernel socket there, so sending fails with ECONNREFUSED.
	 * See README.md.
	 */
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
