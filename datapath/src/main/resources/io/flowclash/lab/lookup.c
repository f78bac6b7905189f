/*
 * flowclash kernel lab: real resolver lookups. Built at run time twice from this one file: with gcc against glibc
 * (dynamic) and with musl-gcc (static, musl's own resolver), so both print the same lines. Each lookup is
 * getaddrinfo(NAME, AF_UNSPEC, SOCK_DGRAM): the resolver sends the A and AAAA queries as it always does, following
 * /etc/resolv.conf (ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf). One line per lookup
 * ("lookup us=... v4=... v6=... rc=..."), then a summary line.
 *
 * With "fresh" each lookup runs in a new child process (fork), as short-lived commands do: glibc's resolver
 * state is per process, and after a lookup that got only one of its two answers glibc switches that process to
 * single-request for good (send_dg in res_send.c sets RES_SNGLKUP), so in "shared" mode only the first raced
 * lookup of the process can stall. The time of a fresh lookup includes the fork and the wait (well under 1 ms).
 *
 * Usage: lookup NAME COUNT fresh|shared
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int resolve(const char *name, int *v4, int *v6)
{
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    struct addrinfo *res = NULL;
    const int rc = getaddrinfo(name, NULL, &hints, &res);
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next)
    {
        *v4 |= a->ai_family == AF_INET;
        *v6 |= a->ai_family == AF_INET6;
    }
    if (res != NULL)
    {
        freeaddrinfo(res);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4)
    {
        fprintf(stderr, "usage: lookup NAME COUNT fresh|shared\n");
        return 2;
    }
    const int fresh = strcmp(argv[3], "fresh") == 0;
    const int count = atoi(argv[2]);
    long failed = 0, partial = 0, slow = 0;
    for (int i = 0; i < count; i++)
    {
        struct timespec t0, t1;
        int rc, v4, v6;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (fresh)
        {
            const pid_t pid = fork();
            if (pid == 0)
            {
                int c4 = 0, c6 = 0;
                const int r = resolve(argv[1], &c4, &c6);
                _exit(r != 0 ? 4 : c4 | c6 << 1); /* 4: failed; else bit 0 A, bit 1 AAAA */
            }
            int status = 0;
            waitpid(pid, &status, 0);
            const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 4;
            rc = code == 4 ? 1 : 0;
            v4 = rc == 0 && (code & 1);
            v6 = rc == 0 && (code & 2) != 0;
        }
        else
        {
            v4 = v6 = 0;
            rc = resolve(argv[1], &v4, &v6);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const long long us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
        failed += rc != 0;
        partial += rc == 0 && !(v4 && v6);
        slow += us > 1000000;
        printf("lookup us=%lld v4=%d v6=%d rc=%d\n", us, v4, v6, rc);
        fflush(stdout);
    }
    printf("lookups=%d failed=%ld partial=%ld slow=%ld\n", count, failed, partial, slow);
    fflush(stdout);
    return 0;
}
