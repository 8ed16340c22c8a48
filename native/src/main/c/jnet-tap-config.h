/*
 * slirp4netns --configure for the tap, done by the front end's child inside the target's
 * namespaces (part of jnet-slirp4netns, included by jnet-tap-open.h): the same five rtnetlink
 * requests the standalone stack makes (GuestLinkSetup.java) with the same results and the same
 * error lines, but without a route socket handed to the daemon and six round trips from Java
 * there (about 1 ms of a warm start). lo up; the tap's MTU, txqueuelen and (--macaddress) MAC;
 * tap up; ADDR/PREFIX with the subnet's broadcast; a default route via the gateway, proto boot.
 * The daemon sends the values with "open" (it checked them): see UsernetdSession.
 */
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct tap_config {
	unsigned mtu, txqlen, prefix;
	int has_mac;
	unsigned char mac[6];
	struct in_addr addr, bcast, gw;
};

/* Parses the daemon's fields MTU TXQLEN MAC|"" ADDR PREFIX BCAST GW; 0 when they do not fit. */
static int tap_config_parse(char **f, struct tap_config *c)
{
	memset(c, 0, sizeof *c);
	c->mtu = (unsigned)strtoul(f[0], NULL, 10);
	c->txqlen = (unsigned)strtoul(f[1], NULL, 10);
	if (f[2][0]) {
		unsigned m[6];
		if (sscanf(f[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
			return 0;
		for (int i = 0; i < 6; i++)
			c->mac[i] = (unsigned char)m[i];
		c->has_mac = 1;
	}
	c->prefix = (unsigned)strtoul(f[4], NULL, 10);
	return c->mtu > 0 && c->prefix >= 1 && c->prefix <= 32 && inet_pton(AF_INET, f[3], &c->addr) == 1 &&
	       inet_pton(AF_INET, f[5], &c->bcast) == 1 && inet_pton(AF_INET, f[6], &c->gw) == 1;
}

struct nl_req {
	union {
		struct nlmsghdr h;
		char buf[512];
	};
};

static void nl_attr(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static void *nl_start(struct nl_req *r, unsigned short type, unsigned short flags, size_t hdr)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(hdr);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	return NLMSG_DATA(&r->h);
}

/* Sends r and reads the ack; on error fails with "WHAT: " and the kernel's message or errno text. */
static void nl_call(int s, struct nl_req *r, const char *what)
{
	static unsigned seq;
	r->h.nlmsg_seq = ++seq;
	if (send(s, r, r->h.nlmsg_len, 0) < 0)
		fail("%s: %s", what, strerror(errno));
	union {
		char buf[8192];
		struct nlmsghdr align;
	} ans;
	for (;;) {
		ssize_t n = recv(s, ans.buf, sizeof ans.buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("%s: %s", what, strerror(errno));
		for (struct nlmsghdr *h = &ans.align; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->h.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			struct nlmsgerr *e = NLMSG_DATA(h);
			if (e->error == 0)
				return;
			const char *km = NULL;
			if (h->nlmsg_flags & NLM_F_ACK_TLVS) { /* extended ack: the kernel's own words */
				size_t off = NLMSG_LENGTH(sizeof *e);
				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
				int left = (int)h->nlmsg_len - (int)off;
				for (struct rtattr *a = (struct rtattr *)((char *)h + off); RTA_OK(a, left); a = RTA_NEXT(a, left))
					if (a->rta_type == NLMSGERR_ATTR_MSG)
						km = RTA_DATA(a);
			}
			fail("%s: %s", what, km && *km ? km : strerror(-e->error));
		}
	}
}

static void set_link(int s, const char *name, int up, const struct tap_config *c, const char *what)
{
	struct nl_req r;
	struct ifinfomsg *i = nl_start(&r, RTM_NEWLINK, 0, sizeof *i);
	i->ifi_family = AF_UNSPEC;
	if (up) {
		i->ifi_flags = IFF_UP;
		i->ifi_change = IFF_UP;
	}
	nl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	if (c) {
		nl_attr(&r, IFLA_MTU, &c->mtu, 4);
		nl_attr(&r, IFLA_TXQLEN, &c->txqlen, 4);
		if (c->has_mac)
			nl_attr(&r, IFLA_ADDRESS, c->mac, 6);
	}
	nl_call(s, &r, what);
}

/* Configures tap NAME in the namespace we are in; fails (in the child) with one line. */
static void tap_configure(const char *name, const struct tap_config *c)
{
	char what[IFNAMSIZ + 96], a[INET_ADDRSTRLEN];
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		fail("socket(AF_NETLINK): %s", strerror(errno));
	int one = 1;
	setsockopt(s, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	set_link(s, "lo", 1, NULL, "cannot set device up: lo");
	snprintf(what, sizeof what, "cannot configure device %s", name);
	set_link(s, name, 0, c, what);
	snprintf(what, sizeof what, "cannot set device up: %s", name);
	set_link(s, name, 1, NULL, what);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		fail("configuring %s: %s", name, strerror(errno));
	unsigned index = (unsigned)ifr.ifr_ifindex;
	struct nl_req r;
	struct ifaddrmsg *ia = nl_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ia);
	ia->ifa_family = AF_INET;
	ia->ifa_prefixlen = (unsigned char)c->prefix;
	ia->ifa_scope = RT_SCOPE_UNIVERSE;
	ia->ifa_index = index;
	nl_attr(&r, IFA_LOCAL, &c->addr, 4);
	nl_attr(&r, IFA_ADDRESS, &c->addr, 4);
	nl_attr(&r, IFA_BROADCAST, &c->bcast, 4);
	snprintf(what, sizeof what, "cannot set device address %s/%u on %s", inet_ntop(AF_INET, &c->addr, a, sizeof a),
		 c->prefix, name);
	nl_call(s, &r, what);
	struct rtmsg *rt = nl_start(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rt);
	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	nl_attr(&r, RTA_GATEWAY, &c->gw, 4);
	nl_attr(&r, RTA_OIF, &index, 4);
	snprintf(what, sizeof what, "cannot add the default route via %s", inet_ntop(AF_INET, &c->gw, a, sizeof a));
	nl_call(s, &r, what);
	close(s);
}
