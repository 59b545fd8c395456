/*
 * Driver for LazyLibmTests: linked with src/Ipvs.Cli/Native/lazy_libm.c and without -lm, it
 * checks that libm is not loaded until a forwarder is first called, and that every forwarder
 * returns exactly what libm's own function returns (compared bit for bit).
 */
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int libm_loaded(void)
{
    return dlopen("libm.so.6", RTLD_LAZY | RTLD_NOLOAD) != NULL;
}

static uint64_t bits(double value)
{
    uint64_t raw;
    memcpy(&raw, &value, sizeof raw);
    return raw;
}

static int failures;

static void same(const char *what, double argument, double ours, double theirs)
{
    /* Any NaN equals any NaN; everything else to the bit (so -0.0 differs from 0.0). */
    if (bits(ours) != bits(theirs) && !(isnan(ours) && isnan(theirs)))
    {
        printf("%s(%a): %a, libm %a\n", what, argument, ours, theirs);
        failures++;
    }
}

int main(void)
{
    if (libm_loaded())
    {
        puts("libm.so.6 is loaded before any math function was called");
        return 1;
    }

    double first = floor(2.5);
    if (!libm_loaded() || first != 2.0)
    {
        printf("after the first call: libm loaded %d, floor(2.5) = %a\n", libm_loaded(), first);
        return 1;
    }

    void *libm = dlopen("libm.so.6", RTLD_LAZY | RTLD_NOLOAD);
    double (*libm_ceil)(double) = (double (*)(double))dlsym(libm, "ceil");
    double (*libm_floor)(double) = (double (*)(double))dlsym(libm, "floor");
    double (*libm_cos)(double) = (double (*)(double))dlsym(libm, "cos");
    double (*libm_sin)(double) = (double (*)(double))dlsym(libm, "sin");
    double (*libm_pow)(double, double) = (double (*)(double, double))dlsym(libm, "pow");
    double (*libm_modf)(double, double *) = (double (*)(double, double *))dlsym(libm, "modf");
    if (!libm_ceil || !libm_floor || !libm_cos || !libm_sin || !libm_pow || !libm_modf)
    {
        puts("libm lacks one of the six functions");
        return 1;
    }

    const double values[] = {
        0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 3.141592653589793, -7.25,
        123456.789, 1e-10, -1e-10, 5e-324, -5e-324, 2.2250738585072014e-308, 1e15 + 0.5,
        4503599627370495.5, 4503599627370496.0, 9007199254740993.0, 1e300, -1e300,
        1.7976931348623157e308, INFINITY, -INFINITY, NAN, 1e22, 0.1, 100.0, -3.0};
    const size_t count = sizeof values / sizeof values[0];
    int checked = 0;
    for (size_t i = 0; i < count; i++)
    {
        double x = values[i];
        same("ceil", x, ceil(x), libm_ceil(x));
        same("floor", x, floor(x), libm_floor(x));
        same("cos", x, cos(x), libm_cos(x));
        same("sin", x, sin(x), libm_sin(x));
        double ours_integral = 0, theirs_integral = 0;
        same("modf", x, modf(x, &ours_integral), libm_modf(x, &theirs_integral));
        same("modf integral part", x, ours_integral, theirs_integral);
        for (size_t j = 0; j < count; j++)
        {
            same("pow", x, pow(x, values[j]), libm_pow(x, values[j]));
        }
        checked += 6 + (int)count;
    }

    if (failures != 0)
    {
        printf("%d of %d results differ from libm\n", failures, checked);
        return 1;
    }

    printf("ok %d\n", checked);
    return 0;
}
