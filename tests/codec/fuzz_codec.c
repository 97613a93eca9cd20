/*
 * libFuzzer target: any bytes into zs_codec_parse. Whatever it accepts must rebuild and parse
 * again to the same id (a DLQ re-drive re-renders accepted events). Built only with -DZS_FUZZ=ON.
 */
#include "codec/zs_codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    zs_event ev;
    zs_err err;
    if (zs_codec_parse((const char *)data, size, 0, &ev, &err) != ZS_OK)
        return 0;
    char *txt = NULL;
    if (zs_codec_build(&ev, 0, &txt, &err) != ZS_OK)
        abort();
    zs_event again;
    if (zs_codec_parse(txt, strlen(txt), 0, &again, &err) != ZS_OK || strcmp(again.id, ev.id) != 0)
        abort();
    zs_event_release(&again);
    zs_event_release(&ev);
    free(txt);
    return 0;
}
