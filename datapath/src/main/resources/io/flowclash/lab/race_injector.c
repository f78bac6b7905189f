/*
 * flowclash kernel lab: the race injector's queue reader (built at run time with gcc and libnetfilter_queue).
 *
 * The lab installs, in the namespace that does the DNAT, an xtables rule after the nat hook and before the
 * conntrack confirm hook (filter OUTPUT or FORWARD, priority 0):
 *     iptables -A OUTPUT -p udp --dport 53 -m conntrack --ctstate NEW -m mark --mark 0x2/0x2 -j NFQUEUE --queue-num Q
 * where mark 0x2 is set by an nft rule on the lookups chosen to race (a hash of source address and port, so the
 * two queries of one socket are chosen together; the raced share is chosen in the kernel, because a first query
 * that reaches this queue at all is raced: its second query enters conntrack while the first waits here). So
 * every chosen DNS datagram whose conntrack is new and still unconfirmed comes here, already DNAT'ed. The first
 * one of a socket is held until a second new datagram of the same socket arrives (the AAAA query, which also
 * found no confirmed entry because the first is held before confirm), then both are released in the order asked:
 * "second-first" lets the second confirm first, so the held first one clashes at confirm; "first-second" the
 * opposite. A held datagram whose partner does not come within hold_ms (single-request, where the resolver waits
 * for the first reply) is released alone. Nothing else is delayed or changed.
 *
 * Usage: race_injector QUEUE HOLD_MS ORDER     (ORDER: second-first or first-second)
 * Prints "ready" once bound, and on SIGTERM/SIGINT one line of key=value counters, releasing what it holds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;
static struct nfq_q_handle *qh;
static long long hold_ms;
static int second_first;

static int holding;
static uint32_t held_id, held_saddr;
static uint16_t held_sport;
static long long held_until;

static unsigned long long queued, firsts, raced, paired, unpaired, passed;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void accept_packet(uint32_t id)
{
    nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
}

static void release_held(void)
{
    if (holding)
    {
        accept_packet(held_id);
        holding = 0;
        unpaired++;
    }
}

static int on_packet(struct nfq_q_handle *q, struct nfgenmsg *msg, struct nfq_data *nfa, void *data)
{
    (void)q; (void)msg; (void)data;
    const struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL)
    {
        return 0;
    }
    const uint32_t id = ntohl(ph->packet_id);
    unsigned char *payload;
    const int len = nfq_get_payload(nfa, &payload);
    queued++;
    if (len < (int)sizeof(struct iphdr) + 8)
    {
        accept_packet(id);
        passed++;
        return 0;
    }
    const struct iphdr *ip = (const struct iphdr *)payload;
    const uint16_t sport = ntohs(*(const uint16_t *)(payload + ip->ihl * 4));
    const uint32_t saddr = ip->saddr;
    if (holding && saddr == held_saddr && sport == held_sport)
    {
        /* the second query of a raced lookup: both are now DNAT'ed and unconfirmed */
        if (second_first)
        {
            accept_packet(id);
            accept_packet(held_id);
        }
        else
        {
            accept_packet(held_id);
            accept_packet(id);
        }
        holding = 0;
        paired++;
        return 0;
    }
    release_held();
    firsts++;
    holding = 1;
    held_id = id;
    held_saddr = saddr;
    held_sport = sport;
    held_until = now_ms() + hold_ms;
    raced++;
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 4)
    {
        fprintf(stderr, "usage: race_injector QUEUE HOLD_MS second-first|first-second\n");
        return 2;
    }
    const int queue = atoi(argv[1]);
    hold_ms = atoll(argv[2]);
    second_first = strcmp(argv[3], "second-first") == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct nfq_handle *h = nfq_open();
    if (h == NULL)
    {
        fprintf(stderr, "race_injector: nfq_open: %s\n", strerror(errno));
        return 1;
    }
    qh = nfq_create_queue(h, queue, &on_packet, NULL);
    if (qh == NULL || nfq_set_mode(qh, NFQNL_COPY_PACKET, 64) < 0)
    {
        fprintf(stderr, "race_injector: cannot bind queue %d: %s\n", queue, strerror(errno));
        return 1;
    }
    const int fd = nfq_fd(h);
    char buf[65536] __attribute__((aligned));
    printf("ready\n");
    fflush(stdout);
    while (!stop)
    {
        int wait = -1;
        if (holding)
        {
            const long long left = held_until - now_ms();
            wait = left < 0 ? 0 : (int)left;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        const int n = poll(&p, 1, wait);
        if (n < 0)
        {
            if (errno == EINTR)
            {
                continue;
            }
            break;
        }
        if (n == 0)
        {
            release_held();
            continue;
        }
        const int rv = recv(fd, buf, sizeof buf, 0);
        if (rv >= 0)
        {
            nfq_handle_packet(h, buf, rv);
        }
        else if (errno != EINTR && errno != ENOBUFS)
        {
            break;
        }
    }
    release_held();
    printf("queued=%llu lookups=%llu raced=%llu paired=%llu unpaired=%llu passed=%llu\n", queued, firsts, raced,
        paired, unpaired, passed);
    fflush(stdout);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
