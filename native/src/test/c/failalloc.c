/*
 * failalloc.c - an LD_PRELOAD library for tests: malloc fails with ENOMEM for every size in
 * [VFA_FAIL_MALLOC, VFA_FAIL_MALLOC + 64], so that a JVM cannot copy a Java array of about that
 * size into C memory (JNI's Get<Type>ArrayElements mallocs the copy), as when it runs out of
 * memory. Without VFA_FAIL_MALLOC nothing fails.
 */
#include <errno.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);

__attribute__((visibility("default"))) void *malloc(size_t size)
{
    static size_t from = 1, to; /* empty until read: getenv does not allocate */
    static int read;
    if (!read) {
        const char *s = getenv("VFA_FAIL_MALLOC");
        if (s && *s) {
            from = strtoul(s, NULL, 10);
            to = from + 64;
        }
        read = 1;
    }
    if (size >= from && size <= to) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_malloc(size);
}
