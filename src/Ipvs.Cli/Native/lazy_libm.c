/*
 * The seven libm functions the Native AOT runtime imports (ceil, cos, floor, log, modf, pow, sin;
 * .NET 10 added log, for the allocation sampler of its threads),
 * resolved from libm.so.6 only when one is first called.
 *
 * Why: linked the usual way (-lm), the dynamic loader maps libm, runs its IFUNC resolvers and
 * relocates it at every start, although a short command such as `ipvs adm -Ln` never calls
 * it. In the lab kernel (User-Mode Linux) that is 28 page faults and ~4 ms of each start, a
 * tenth of the whole cold start. Forwarding to glibc's own functions keeps their results
 * bit for bit; the first call pays one dlopen.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

static void *libm_function(const char *name)
{
    void *library = dlopen("libm.so.6", RTLD_NOW | RTLD_LOCAL);
    void *function = library != NULL ? dlsym(library, name) : NULL;
    if (function == NULL)
    {
        static const char message[] = "ipvs: cannot load the math library (libm.so.6)\n";
        (void)!write(STDERR_FILENO, message, sizeof message - 1);
        abort();
    }
    return function;
}

/* Each forwarder keeps the resolved address; two threads racing on the first call both find
   the same address, so a plain atomic store suffices. */
#define IPVS_LAZY(ret, name, params, args)                                    \
    ret name params                                                            \
    {                                                                          \
        static ret(*resolved) params;                                          \
        ret(*function) params = __atomic_load_n(&resolved, __ATOMIC_ACQUIRE); \
        if (function == NULL)                                                  \
        {                                                                      \
            function = (ret(*) params)libm_function(#name);                    \
            __atomic_store_n(&resolved, function, __ATOMIC_RELEASE);           \
        }                                                                      \
        return function args;                                                  \
    }

IPVS_LAZY(double, ceil, (double x), (x))
IPVS_LAZY(double, floor, (double x), (x))
IPVS_LAZY(double, cos, (double x), (x))
IPVS_LAZY(double, sin, (double x), (x))
IPVS_LAZY(double, log, (double x), (x))
IPVS_LAZY(double, pow, (double x, double y), (x, y))
IPVS_LAZY(double, modf, (double x, double *integral), (x, integral))
