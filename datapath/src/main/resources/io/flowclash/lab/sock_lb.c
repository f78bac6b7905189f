// SPDX-License-Identifier: GPL-2.0
/*
 * flowclash kernel lab: a cgroup BPF socket load balancer, after Cilium's bpf/bpf_sock.c (sock4_connect,
 * sock4_sendmsg, sock4_recvmsg and the reverse map cilium_lb4_reverse_sk). Built at run time with
 * clang -target bpf; the service and backends are compiled in (-DVIP=... -DBACKEND0=... -DBACKENDS=n, addresses as
 * host-order integers). connect4 and sendmsg4 translate the VIP to backend (socket cookie % n) before any packet
 * exists, and record (cookie, backend, port) -> VIP in an LRU hash; recvmsg4 looks that up and makes the reply's
 * source the VIP again. So the packet that reaches conntrack already carries the backend address: no DNAT.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef BACKENDS
#define BACKENDS 2
#endif

struct revnat_key
{
    __u64 cookie;
    __u32 address;
    __u16 port;
    __u16 pad;
};

struct revnat_value
{
    __u32 address;
    __u16 port;
    __u16 pad;
};

/* as cilium_lb4_reverse_sk: LRU, keyed by socket cookie and backend */
struct
{
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, struct revnat_key);
    __type(value, struct revnat_value);
} fc_revnat SEC(".maps");

/* 0 connect4 translated, 1 sendmsg4 translated, 2 recvmsg4 reverse-translated, 3 recvmsg4 reverse miss */
struct
{
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} fc_stats SEC(".maps");

static __always_inline void count(const __u32 at)
{
    __u64 *v = bpf_map_lookup_elem(&fc_stats, &at);
    if (v)
    {
        __sync_fetch_and_add(v, 1);
    }
}

static __always_inline int translate(struct bpf_sock_addr *ctx, const __u32 stat)
{
    if (ctx->user_ip4 != bpf_htonl(VIP) || ctx->user_port != bpf_htons(53))
    {
        return 1;
    }
    const __u64 cookie = bpf_get_socket_cookie(ctx);
    const __u32 backend = bpf_htonl(BACKEND0 + (__u32)(cookie % BACKENDS));
    struct revnat_key key = { .cookie = cookie, .address = backend, .port = (__u16)ctx->user_port };
    struct revnat_value value = { .address = ctx->user_ip4, .port = (__u16)ctx->user_port };
    bpf_map_update_elem(&fc_revnat, &key, &value, BPF_ANY);
    ctx->user_ip4 = backend;
    count(stat);
    return 1;
}

SEC("cgroup/connect4")
int fc_connect4(struct bpf_sock_addr *ctx)
{
    return translate(ctx, 0);
}

SEC("cgroup/sendmsg4")
int fc_sendmsg4(struct bpf_sock_addr *ctx)
{
    return translate(ctx, 1);
}

SEC("cgroup/recvmsg4")
int fc_recvmsg4(struct bpf_sock_addr *ctx)
{
    struct revnat_key key = { .cookie = bpf_get_socket_cookie(ctx), .address = ctx->user_ip4,
        .port = (__u16)ctx->user_port };
    const struct revnat_value *value = bpf_map_lookup_elem(&fc_revnat, &key);
    if (value)
    {
        ctx->user_ip4 = value->address;
        ctx->user_port = value->port;
        count(2);
    }
    else if (ctx->user_port == bpf_htons(53))
    {
        count(3);
    }
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
