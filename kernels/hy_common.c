/* hy_common.c — errors, dtypes, family names and the shared scalar math. */
#include "hy_common.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int hy_fail(hy_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int hy_fail_prefix(hy_error *err, const char *fmt, ...)
{
    if (err) {
        char old[sizeof err->msg];
        memcpy(old, err->msg, sizeof old);
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* append ": <old message>", truncating at the buffer's end */
        size_t used = n < 0 ? 0 : ((size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1);
        const char *parts[2] = {": ", old};
        for (int p = 0; p < 2; p++)
            for (const char *c = parts[p]; *c && used + 1 < sizeof err->msg; c++)
                err->msg[used++] = *c;
        err->msg[used] = 0;
    }
    return -1;
}

size_t hy_dtype_size(hy_dtype t)
{
    return t == HY_F32 ? 4 : 2;
}

const char *hy_dtype_name(hy_dtype t)
{
    switch (t) {
    case HY_F32: return "f32";
    case HY_F16: return "f16";
    case HY_BF16: return "bf16";
    }
    return "?";
}

int hy_dtype_parse(const char *s, hy_dtype *out)
{
    static const struct { const char *name; hy_dtype t; } names[] = {
        {"f32", HY_F32},  {"F32", HY_F32},   {"float32", HY_F32},
        {"f16", HY_F16},  {"F16", HY_F16},   {"float16", HY_F16},
        {"bf16", HY_BF16}, {"BF16", HY_BF16}, {"bfloat16", HY_BF16},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s && strcmp(s, names[i].name) == 0) {
            *out = names[i].t;
            return 0;
        }
    return -1;
}

double hy_dtype_epsilon(hy_dtype t)
{
    switch (t) {
    case HY_F32: return ldexp(1.0, -24);
    case HY_F16: return ldexp(1.0, -11);
    case HY_BF16: return ldexp(1.0, -8);
    }
    return 1.0;
}

static uint32_t f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

float hy_bf16_to_f32(uint16_t h)
{
    return bits_f32((uint32_t)h << 16);
}

uint16_t hy_f32_to_bf16(float f)
{
    uint32_t u = f32_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40); /* quiet NaN */
    u += 0x7fffu + ((u >> 16) & 1u);                                         /* nearest even */
    return (uint16_t)(u >> 16);
}

float hy_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t man = h & 0x3ffu;
    if (exp == 0) { /* zero or subnormal: man * 2^-24 */
        float v = (float)man * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    if (exp == 31) return bits_f32(sign | 0x7f800000u | (man << 13));
    return bits_f32(sign | ((exp + 112u) << 23) | (man << 13));
}

uint16_t hy_f32_to_f16(float f)
{
    uint32_t u = f32_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t absu = u & 0x7fffffffu;
    if (absu > 0x7f800000u) return sign | 0x7e00u;  /* NaN */
    if (absu >= 0x477ff000u) return sign | 0x7c00u; /* overflow (>= 65520) to inf */
    if (absu < 0x38800000u) {                        /* below 2^-14: subnormal or zero */
        float a = bits_f32(absu);
        /* round(a / 2^-24) with ties to even, via nearbyint in double */
        double q = (double)a * 16777216.0;
        double r = nearbyint(q);
        return sign | (uint16_t)r;
    }
    uint32_t mant = absu & 0x7fffffu;
    uint32_t exp = (absu >> 23) - 112u;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++; /* may carry into exponent: fine */
    return sign | (uint16_t)h;
}

static const char *const family_names[HY_FAM_COUNT] = {
    [HY_FAM_LINEAR] = "linear", [HY_FAM_RMSNORM] = "rmsnorm", [HY_FAM_CONV1D] = "conv1d",
    [HY_FAM_SCAN] = "scan",     [HY_FAM_SSD] = "ssd",         [HY_FAM_ATTENTION] = "attention",
    [HY_FAM_MOE] = "moe",       [HY_FAM_MLP] = "mlp",
};

const char *hy_family_name(hy_family f)
{
    return (unsigned)f < HY_FAM_COUNT ? family_names[f] : "?";
}

int hy_family_parse(const char *name, hy_family *out)
{
    for (int f = 0; f < HY_FAM_COUNT; f++)
        if (name && strcmp(name, family_names[f]) == 0) {
            *out = (hy_family)f;
            return 0;
        }
    return -1;
}

double hy_silu(double x)
{
    return x / (1.0 + exp(-x));
}

double hy_softplus(double x)
{
    return x > 20.0 ? x : log1p(exp(x));
}
