/*
 * zepsync-bench-codec: events per second through zs_codec_build and zs_codec_parse on one core.
 * Prints figures only; nothing here asserts a speed.
 */
#include "codec/zs_codec.h"
#include "codec_fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long n = 100000;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: zepsync-bench-codec [N]\n"
               "Builds and parses N events of each kind (default 100000) and prints events/s.\n");
        return 0;
    }
    if (argc > 1) {
        char *end;
        n = strtol(argv[1], &end, 10);
        if (*end || n <= 0) {
            fprintf(stderr, "zepsync-bench-codec: N must be a positive number\n");
            return 2;
        }
    }
    void (*fixtures[])(zs_event *) = {employee, booking, absence};
    for (int f = 0; f < 3; f++) {
        zs_event ev;
        fixtures[f](&ev);
        zs_err err;
        char *txt = NULL;
        size_t bytes = 0;
        double t0 = now();
        for (long i = 0; i < n; i++) {
            ev.id[0] = '\0'; /* include the UUIDv5 in the cost */
            free(txt);
            if (zs_codec_build(&ev, 0, &txt, &err) != ZS_OK) {
                fprintf(stderr, "build: %s\n", err.msg);
                return 1;
            }
        }
        double t1 = now();
        bytes = strlen(txt);
        for (long i = 0; i < n; i++) {
            zs_event p;
            if (zs_codec_parse(txt, bytes, 0, &p, &err) != ZS_OK) {
                fprintf(stderr, "parse: %s\n", err.msg);
                return 1;
            }
            zs_event_release(&p);
        }
        double t2 = now();
        printf("%-32s %5zu bytes  build %9.0f ev/s  parse+validate %9.0f ev/s\n",
               zs_codec_type_name(ev.kind), bytes, (double)n / (t1 - t0), (double)n / (t2 - t1));
        free(txt);
    }
    return 0;
}
