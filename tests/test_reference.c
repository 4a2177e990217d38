/* test_reference.c — the reference kernels and the reference forward,
 * against values worked out by hand on tiny shapes (each case's comment
 * shows the arithmetic), and the forward against itself over different
 * splits of one sequence (prefill == decodes == chunked continuation). */
#include "hy_reference.h"
#include "hy_test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double silu(double x) { return x / (1.0 + exp(-x)); }
static double softplus(double x) { return log(1.0 + exp(x)); }

/* ---- linear ---------------------------------------------------------------- */
static void test_linear(void)
{
    hy_error err = {{0}};
    /* x rows (stride 4, the 4th column is junk):  [1, 0, 2 | 99], [0, 1, -1 | 99]
     * W = [[1, 2, 3], [0, -1, 1]],  b = [0.5, -1]
     * y0 = [1 + 0 + 6 + 0.5, 0 + 0 + 2 - 1] = [7.5, 1]
     * y1 = [0 + 2 - 3 + 0.5, 0 - 1 - 1 - 1] = [-0.5, -3]
     * y has stride 3; its third column (42) must not be touched. */
    float x[8] = {1, 0, 2, 99, 0, 1, -1, 99};
    float w[6] = {1, 2, 3, 0, -1, 1};
    float b[2] = {0.5f, -1};
    float y[6] = {0, 0, 42, 0, 0, 42};
    hy_linear_shape s = {.T = 2, .in = 3, .out = 2, .has_bias = 1};
    hy_linear_args a = {.x = x, .x_stride = 4, .w = w, .b = b, .y = y, .y_stride = 3};
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    CHECK(y[0] == 7.5f && y[1] == 1.0f && y[2] == 42.0f);
    CHECK(y[3] == -0.5f && y[4] == -3.0f && y[5] == 42.0f);

    /* accumulate without bias: y += x W^T  -> [7.5 + 7, 1 + 2], [-0.5 - 1, -3 - 2] */
    s.has_bias = 0;
    s.accumulate = 1;
    CHECK_OK(hy_ref_linear(&s, &a, &err), &err);
    CHECK(y[0] == 14.5f && y[1] == 3.0f && y[3] == -1.5f && y[4] == -5.0f && y[5] == 42.0f);

    /* bad shapes and arguments */
    s.has_bias = 1;
    a.b = NULL;
    CHECK_FAILS(hy_ref_linear(&s, &a, &err), &err, "b is NULL");
    a.b = b;
    a.x_stride = 2;
    CHECK_FAILS(hy_ref_linear(&s, &a, &err), &err, "x_stride");
    a.x_stride = 4;
    s.in = 0;
    CHECK_FAILS(hy_ref_linear(&s, &a, &err), &err, "in");
    s.in = 3;
    a.w = NULL;
    CHECK_FAILS(hy_ref_linear(&s, &a, &err), &err, "NULL");
    CHECK_FAILS(hy_ref_linear(NULL, &a, &err), &err, "NULL");
}

/* ---- rmsnorm --------------------------------------------------------------- */
static void test_rmsnorm(void)
{
    hy_error err = {{0}};
    /* x = [3, 4], w = [1, 2], eps = 0: mean(x^2) = 12.5, rms = sqrt(12.5)
     * y = [3 / 3.5355339, 2 * 4 / 3.5355339] = [0.8485281, 2.2627417]
     * second row, x = [1, -1]: rms = 1, y = [1, -2].
     * Rows have stride 3, normalised in place; column 3 (7) untouched. */
    float x[6] = {3, 4, 7, 1, -1, 7};
    float w[2] = {1, 2};
    hy_rmsnorm_shape s = {.T = 2, .D = 2, .eps = 0.0f};
    hy_rmsnorm_args a = {.x = x, .x_stride = 3, .w = w, .y = x, .y_stride = 3};
    CHECK_OK(hy_ref_rmsnorm(&s, &a, &err), &err);
    CHECK_NEAR(x[0], 3.0 / sqrt(12.5), 1e-6);
    CHECK_NEAR(x[1], 8.0 / sqrt(12.5), 1e-6);
    CHECK(x[2] == 7.0f && x[5] == 7.0f);
    CHECK_NEAR(x[3], 1.0, 1e-7);
    CHECK_NEAR(x[4], -2.0, 1e-7);

    /* eps is inside the root: x = [3, 4], eps = 0.5 -> rms = sqrt(12.5 + 0.5) = sqrt(13) */
    float x2[2] = {3, 4}, y2[2];
    hy_rmsnorm_shape s2 = {.T = 1, .D = 2, .eps = 0.5f};
    hy_rmsnorm_args a2 = {.x = x2, .w = w, .y = y2};
    CHECK_OK(hy_ref_rmsnorm(&s2, &a2, &err), &err);
    CHECK_NEAR(y2[0], 3.0 / sqrt(13.0), 1e-6);
    CHECK_NEAR(y2[1], 8.0 / sqrt(13.0), 1e-6);

    s2.D = -1;
    CHECK_FAILS(hy_ref_rmsnorm(&s2, &a2, &err), &err, "D");
    s2.D = 2;
    s2.eps = -1.0f;
    CHECK_FAILS(hy_ref_rmsnorm(&s2, &a2, &err), &err, "eps");
}

/* ---- conv1d ---------------------------------------------------------------- */
static void test_conv1d(void)
{
    hy_error err = {{0}};
    /* One channel, K = 3, w = [1, 10, 100], no bias, no SiLU, x = [1, 2, 3].
     * stream = [0, 0, 1, 2, 3]  (two zeros of history)
     * y0 = 1*0 + 10*0 + 100*1 = 100     <- w[K-1] multiplies the newest sample
     * y1 = 1*0 + 10*1 + 100*2 = 210
     * y2 = 1*1 + 10*2 + 100*3 = 321
     * state afterwards: last K samples, oldest first = [1, 2, 3] */
    float w[3] = {1, 10, 100};
    float x[4] = {1, 2, 3, 4};
    float y[4], state[3] = {0, 0, 0};
    hy_conv1d_shape s = {.T = 3, .C = 1, .K = 3};
    hy_conv1d_args a = {.x = x, .w = w, .state = state, .y = y};
    CHECK_OK(hy_ref_conv1d(&s, &a, &err), &err);
    CHECK(y[0] == 100.0f && y[1] == 210.0f && y[2] == 321.0f);
    CHECK(state[0] == 1.0f && state[1] == 2.0f && state[2] == 3.0f);

    /* decode x = 4: roll left, newest last: state [2, 3, 4];
     * y = 1*2 + 10*3 + 100*4 = 432 */
    s.T = 1;
    a.x = x + 3;
    CHECK_OK(hy_ref_conv1d(&s, &a, &err), &err);
    CHECK(y[0] == 432.0f);
    CHECK(state[0] == 2.0f && state[1] == 3.0f && state[2] == 4.0f);

    /* one call of 4 == the two calls above, including the final state */
    float y4[4], state4[3] = {0, 0, 0};
    hy_conv1d_shape s4 = {.T = 4, .C = 1, .K = 3};
    hy_conv1d_args a4 = {.x = x, .w = w, .state = state4, .y = y4};
    CHECK_OK(hy_ref_conv1d(&s4, &a4, &err), &err);
    CHECK(y4[0] == 100.0f && y4[1] == 210.0f && y4[2] == 321.0f && y4[3] == 432.0f);
    CHECK(memcmp(state4, state, sizeof state) == 0);

    /* without a state: zero history, nothing kept (same y as the first call) */
    a4.state = NULL;
    CHECK_OK(hy_ref_conv1d(&s4, &a4, &err), &err);
    CHECK(y4[0] == 100.0f && y4[3] == 432.0f);

    /* T shorter than the history, from a state: K = 3, state [5, 6, 7]
     * history = state[1..2] = [6, 7]; x = 4: y = 1*6 + 10*7 + 100*4 = 476;
     * new state [6, 7, 4]  (the oldest sample 5 drops out) */
    float st[3] = {5, 6, 7};
    a.state = st;
    CHECK_OK(hy_ref_conv1d(&s, &a, &err), &err);
    CHECK(y[0] == 476.0f);
    CHECK(st[0] == 6.0f && st[1] == 7.0f && st[2] == 4.0f);

    /* two channels, x read with stride 3, bias and SiLU:
     * channel 0: w = [0, 0, 1], b = -1 -> y = silu(x - 1)
     * channel 1: w = [1, 0, 0], b = 0.5 -> y = silu(x two steps back + 0.5)
     * x rows [c0, c1, junk] = [3, 1, 9], [2, -2, 9]
     * y[0] = [silu(2), silu(0 + 0.5)], y[1] = [silu(1), silu(0 + 0.5)] */
    float x2[6] = {3, 1, 9, 2, -2, 9};
    float w2[6] = {0, 0, 1, 1, 0, 0};
    float b2[2] = {-1, 0.5f};
    float y2[4];
    hy_conv1d_shape s2 = {.T = 2, .C = 2, .K = 3, .has_bias = 1, .silu = 1};
    hy_conv1d_args a2 = {.x = x2, .x_stride = 3, .w = w2, .b = b2, .y = y2};
    CHECK_OK(hy_ref_conv1d(&s2, &a2, &err), &err);
    CHECK_NEAR(y2[0], silu(2.0), 1e-7);
    CHECK_NEAR(y2[1], silu(0.5), 1e-7);
    CHECK_NEAR(y2[2], silu(1.0), 1e-7);
    CHECK_NEAR(y2[3], silu(0.5), 1e-7);

    a2.b = NULL;
    CHECK_FAILS(hy_ref_conv1d(&s2, &a2, &err), &err, "b is NULL");
    s2.K = 0;
    CHECK_FAILS(hy_ref_conv1d(&s2, &a2, &err), &err, "K");
}

/* ---- scan ------------------------------------------------------------------ */
static void test_scan(void)
{
    hy_error err = {{0}};
    /* D = 1, N = 1, A_log = 0 -> A = -1; dt_bias = 0.5; Dskip = 0.5; no z.
     * u = [1, 2], delta = [0, 1], B = [2, 3], C = [1, -1], initial state 0.25
     *   dt0 = softplus(0.5), dt1 = softplus(1.5)
     *   h0 = exp(-dt0) * 0.25 + dt0 * 1 * 2      y0 = h0 * 1 + 0.5 * 1
     *   h1 = exp(-dt1) * h0 + dt1 * 2 * 3        y1 = h1 * (-1) + 0.5 * 2 */
    float u[2] = {1, 2}, delta[2] = {0, 1}, A_log[1] = {0}, B[2] = {2, 3}, C[2] = {1, -1};
    float Dskip[1] = {0.5f}, dt_bias[1] = {0.5f}, state[1] = {0.25f}, y[2];
    double dt0 = softplus(0.5), dt1 = softplus(1.5);
    double h0 = exp(-dt0) * 0.25 + dt0 * 2.0, h1 = exp(-dt1) * h0 + dt1 * 6.0;
    hy_scan_shape s = {.T = 2, .D = 1, .N = 1, .has_dt_bias = 1};
    hy_scan_args a = {.u = u, .delta = delta, .A_log = A_log, .B = B, .C = C, .Dskip = Dskip,
                      .dt_bias = dt_bias, .state = state, .y = y};
    CHECK_OK(hy_ref_scan(&s, &a, &err), &err);
    CHECK_NEAR(y[0], h0 + 0.5, 1e-6);
    CHECK_NEAR(y[1], -h1 + 1.0, 1e-6);
    CHECK_NEAR(state[0], h1, 1e-6);

    /* the same as two single-step decodes through the state */
    float st2[1] = {0.25f}, ya[1], yb[1];
    hy_scan_shape s1 = s;
    s1.T = 1;
    hy_scan_args a1 = a;
    a1.state = st2;
    a1.y = ya;
    CHECK_OK(hy_ref_scan(&s1, &a1, &err), &err);
    a1.u = u + 1, a1.delta = delta + 1, a1.B = B + 1, a1.C = C + 1, a1.y = yb;
    CHECK_OK(hy_ref_scan(&s1, &a1, &err), &err);
    CHECK_NEAR(ya[0], y[0], 1e-6);
    CHECK_NEAR(yb[0], y[1], 1e-6);
    CHECK_NEAR(st2[0], state[0], 1e-6);

    /* the dt_bias goes inside the softplus: without it dt0 = softplus(0) = ln 2 */
    float y_nb[2];
    hy_scan_shape s_nb = {.T = 1, .D = 1, .N = 1};
    hy_scan_args a_nb = {.u = u, .delta = delta, .A_log = A_log, .B = B, .C = C,
                         .Dskip = Dskip, .y = y_nb};
    CHECK_OK(hy_ref_scan(&s_nb, &a_nb, &err), &err);
    CHECK_NEAR(y_nb[0], log(2.0) * 2.0 + 0.5, 1e-6);

    /* softplus is the identity above 20 (torch): delta = 25 -> dt = 25 exactly;
     * h0 = 25 * u * B = 25 * 1 * 2 = 50, y0 = 50 * C + 0.5 = 50.5 */
    CHECK(hy_softplus(20.5) == 20.5 && hy_softplus(19.5) != 19.5);
    float big[1] = {25};
    a_nb.delta = big;
    CHECK_OK(hy_ref_scan(&s_nb, &a_nb, &err), &err);
    CHECK(y_nb[0] == 50.5f);

    /* D = 2 channels, N = 2, B and C read from one [T, 5] buffer with stride 5
     * (B at column 0, C at column 2), z gate with stride 3; T = 1 from zero:
     * dt = [21, 22] (linear region), u = [1, 2], B = [1, 2], C = [3, -1]
     *   h[0, :] = 21 * 1 * B = [21, 42];  y0 = 21*3 - 42 + 1 * 1 = 22
     *   h[1, :] = 22 * 2 * B = [44, 88];  y1 = 132 - 88 + 0.5 * 2 = 45
     *   gate: y0 *= silu(1), y1 *= silu(-2)
     * state out = h */
    float u2[2] = {1, 2}, dl2[2] = {21, 22}, Al2[4] = {0, 0.5f, 1, 1.5f};
    float bc[5] = {1, 2, 3, -1, 99}, D2[2] = {1, 0.5f}, z2[3] = {1, -2, 99};
    float st[4] = {0, 0, 0, 0}, y2[2];
    hy_scan_shape s2 = {.T = 1, .D = 2, .N = 2, .has_z = 1};
    hy_scan_args a2 = {.u = u2, .delta = dl2, .A_log = Al2, .B = bc, .C = bc + 2,
                       .bc_stride = 5, .Dskip = D2, .z = z2, .z_stride = 3,
                       .state = st, .y = y2};
    CHECK_OK(hy_ref_scan(&s2, &a2, &err), &err);
    CHECK_NEAR(y2[0], 22.0 * silu(1.0), 1e-5);
    CHECK_NEAR(y2[1], 45.0 * silu(-2.0), 1e-5);
    CHECK(st[0] == 21.0f && st[1] == 42.0f && st[2] == 44.0f && st[3] == 88.0f);

    /* a second step with dt = 1: A[d, n] = -exp(A_log) decays each entry
     * by exp(-exp(A_log[d, n])); u = 0 adds nothing; y = sum_n h C */
    float zero2[2] = {0, 0}, dt_one[2] = {(float)log(exp(1.0) - 1.0), (float)log(exp(1.0) - 1.0)};
    s2.has_z = 0;
    a2.u = zero2;
    a2.delta = dt_one;
    CHECK_OK(hy_ref_scan(&s2, &a2, &err), &err);
    double e00 = exp(-1.0), e01 = exp(-exp(0.5)), e10 = exp(-exp(1.0)), e11 = exp(-exp(1.5));
    CHECK_NEAR(y2[0], 21 * e00 * 3 - 42 * e01, 1e-5);
    CHECK_NEAR(y2[1], 44 * e10 * 3 - 88 * e11, 1e-5);
    CHECK_NEAR(st[1], 42 * e01, 1e-5);

    a2.Dskip = NULL;
    CHECK_FAILS(hy_ref_scan(&s2, &a2, &err), &err, "NULL");
    a2.Dskip = D2;
    a2.bc_stride = 1;
    CHECK_FAILS(hy_ref_scan(&s2, &a2, &err), &err, "bc_stride");
}

/* ---- ssd ------------------------------------------------------------------- */
static void test_ssd(void)
{
    hy_error err = {{0}};
    /* H = 1, P = 1, G = 1, N = 1 is the scan's hand case above:
     * x = [1, 2], dt = [0, 1] + bias 0.5, A_log = 0, B = [2, 3], C = [1, -1],
     * D = 0.5, state 0.25  ->  same h0, h1, y0 = h0 + 0.5, y1 = -h1 + 1 */
    float x[2] = {1, 2}, dt[2] = {0, 1}, A_log[1] = {0}, B[2] = {2, 3}, C[2] = {1, -1};
    float Dskip[1] = {0.5f}, dt_bias[1] = {0.5f}, state[1] = {0.25f}, y[2];
    double dt0 = softplus(0.5), dt1 = softplus(1.5);
    double h0 = exp(-dt0) * 0.25 + dt0 * 2.0, h1 = exp(-dt1) * h0 + dt1 * 6.0;
    hy_ssd_shape s = {.T = 2, .H = 1, .P = 1, .G = 1, .N = 1, .chunk = 1, .has_D = 1,
                      .has_dt_bias = 1};
    hy_ssd_args a = {.x = x, .dt = dt, .A_log = A_log, .B = B, .C = C, .Dskip = Dskip,
                     .dt_bias = dt_bias, .state = state, .y = y};
    CHECK_OK(hy_ref_ssd(&s, &a, &err), &err);
    CHECK_NEAR(y[0], h0 + 0.5, 1e-6);
    CHECK_NEAR(y[1], -h1 + 1.0, 1e-6);
    CHECK_NEAR(state[0], h1, 1e-6);

    /* group mapping: H = 4, G = 2, P = 2, N = 1, T = 1 from zero, dt = 21
     * (softplus linear), x[h, p] = 1 + p, B = [1 (group 0), 0 (group 1)],
     * C = [1, 1], D = 0:  heads 0 and 1 (group 0): y = 21 * (1 + p);
     * heads 2 and 3 (group 1): y = 0.  Tiling (h % G) would give 0 for head 1. */
    float xg[8] = {1, 2, 1, 2, 1, 2, 1, 2}, dtg[4] = {21, 21, 21, 21}, Ag[4] = {0, 0, 0, 0};
    float Bg[2] = {1, 0}, Cg[2] = {1, 1}, yg[8];
    hy_ssd_shape sg = {.T = 1, .H = 4, .P = 2, .G = 2, .N = 1, .chunk = 4};
    hy_ssd_args ag = {.x = xg, .dt = dtg, .A_log = Ag, .B = Bg, .C = Cg, .y = yg};
    CHECK_OK(hy_ref_ssd(&sg, &ag, &err), &err);
    CHECK(yg[0] == 21.0f && yg[1] == 42.0f && yg[2] == 21.0f && yg[3] == 42.0f);
    CHECK(yg[4] == 0.0f && yg[5] == 0.0f && yg[6] == 0.0f && yg[7] == 0.0f);
    /* z gate: y *= silu(z) */
    float zg[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    sg.has_z = 1;
    ag.z = zg;
    CHECK_OK(hy_ref_ssd(&sg, &ag, &err), &err);
    CHECK_NEAR(yg[1], 42.0 * silu(1.0), 1e-5);

    /* SSD with H = 2, P = 1, G = 1 is the Mamba-1 scan with D = 2 channels
     * (per-channel A = per-head A, shared B and C): compare over T = 3. */
    float xs[6] = {0.5f, -1, 2, 0.25f, -0.5f, 1}, dts[6] = {-1, 0.2f, 0.3f, -2, 1, 0};
    float As[2] = {0.1f, -0.3f}, Bs[6] = {1, -1, 0.5f, 2, -0.25f, 1}, Cs[6] = {2, 0.5f, -1, 1, 3, -2};
    float Ds[2] = {0.3f, -0.7f}, dbs[2] = {0.1f, -0.2f}, zs[6] = {1, -1, 0.5f, 2, -0.3f, 0.7f};
    float st_ssd[4] = {0.1f, 0, -0.2f, 0}, st_scan[4] = {0.1f, 0, -0.2f, 0};
    float y_ssd[6], y_scan[6];
    /* B, C: [T, G=1, N=2] for SSD; [T, N=2] for scan: the same buffers */
    hy_ssd_shape ss = {.T = 3, .H = 2, .P = 1, .G = 1, .N = 2, .chunk = 2, .has_z = 1,
                       .has_D = 1, .has_dt_bias = 1};
    hy_ssd_args as = {.x = xs, .dt = dts, .A_log = As, .B = Bs, .C = Cs, .Dskip = Ds, .z = zs,
                      .dt_bias = dbs, .state = st_ssd, .y = y_ssd};
    hy_scan_shape sc = {.T = 3, .D = 2, .N = 2, .has_z = 1, .has_dt_bias = 1};
    float Al_scan[4] = {0.1f, 0.1f, -0.3f, -0.3f}; /* [D, N]: one A per channel */
    hy_scan_args ac = {.u = xs, .delta = dts, .A_log = Al_scan, .B = Bs, .C = Cs, .Dskip = Ds,
                       .z = zs, .dt_bias = dbs, .state = st_scan, .y = y_scan};
    CHECK_OK(hy_ref_ssd(&ss, &as, &err), &err);
    CHECK_OK(hy_ref_scan(&sc, &ac, &err), &err);
    for (int i = 0; i < 6; i++) CHECK_NEAR(y_ssd[i], y_scan[i], 1e-6);
    for (int i = 0; i < 4; i++) CHECK_NEAR(st_ssd[i], st_scan[i], 1e-6);

    sg.G = 3;
    CHECK_FAILS(hy_ref_ssd(&sg, &ag, &err), &err, "G");
    sg.G = 2;
    sg.has_D = 1;
    CHECK_FAILS(hy_ref_ssd(&sg, &ag, &err), &err, "Dskip");
}

/* ---- attention ------------------------------------------------------------- */
static void test_attention(void)
{
    hy_error err = {{0}};
    /* nH = nKV = 1, hd = 2, scale 0.5, cap 4, prefill T = 2:
     *   q0 = [1, 0], k0 = [1, 0], v0 = [1, 2]: token 0 sees only key 0 -> out0 = v0
     *   q1 = [1, 1], k1 = [0, 2], v1 = [3, -1]:
     *     s = 0.5 * [q1.k0, q1.k1] = [0.5, 1]
     *     p1 = 1 / (1 + exp(-0.5)), p0 = 1 - p1
     *     out1 = p0 * [1, 2] + p1 * [3, -1] */
    float q[6] = {1, 0, 1, 1, 1, 0}, k[6] = {1, 0, 0, 2, 1, 0}, v[6] = {1, 2, 3, -1, 0, 0};
    float kc[8], vc[8], out[6];
    for (int i = 0; i < 8; i++) kc[i] = vc[i] = -7.0f;
    hy_attention_shape s = {.T = 2, .nH = 1, .nKV = 1, .hd = 2, .pos0 = 0, .cap = 4,
                            .scale = 0.5f};
    hy_attention_args a = {.q = q, .k = k, .v = v, .k_cache = kc, .v_cache = vc, .out = out};
    CHECK_OK(hy_ref_attention(&s, &a, &err), &err);
    double p1 = 1.0 / (1.0 + exp(-0.5)), p0 = 1.0 - p1;
    CHECK_NEAR(out[0], 1.0, 1e-7);
    CHECK_NEAR(out[1], 2.0, 1e-7);
    CHECK_NEAR(out[2], p0 * 1 + p1 * 3, 1e-6);
    CHECK_NEAR(out[3], p0 * 2 - p1 * 1, 1e-6);
    /* appended: cache rows 0 and 1 hold k and v, rows 2 and 3 untouched */
    CHECK(kc[0] == 1 && kc[1] == 0 && kc[2] == 0 && kc[3] == 2 && kc[4] == -7.0f);
    CHECK(vc[2] == 3 && vc[3] == -1 && vc[7] == -7.0f);

    /* decode token 2: q2 = [1, 0], k2 = [1, 0], v2 = [0, 0] at pos0 = 2
     *   s = 0.5 * [1, 0, 1];  out = (e^.5 v0 + e^0 v1 + e^.5 v2) / (2 e^.5 + 1) */
    hy_attention_shape s1 = s;
    s1.T = 1;
    s1.pos0 = 2;
    hy_attention_args a1 = {.q = q + 4, .k = k + 4, .v = v + 4, .k_cache = kc, .v_cache = vc,
                            .out = out + 4};
    CHECK_OK(hy_ref_attention(&s1, &a1, &err), &err);
    double e = exp(0.5), den = 2 * e + 1;
    CHECK_NEAR(out[4], (e * 1 + 3) / den, 1e-6);
    CHECK_NEAR(out[5], (e * 2 - 1) / den, 1e-6);

    /* the same three tokens as one prefill give the same outputs */
    float kc3[8], vc3[8], out3[6];
    hy_attention_shape s3 = s;
    s3.T = 3;
    hy_attention_args a3 = {.q = q, .k = k, .v = v, .k_cache = kc3, .v_cache = vc3, .out = out3};
    CHECK_OK(hy_ref_attention(&s3, &a3, &err), &err);
    for (int i = 0; i < 6; i++) CHECK_NEAR(out3[i], out[i], 1e-7);

    /* sliding window 2: token 2 sees keys 1 and 2 only:
     *   s = 0.5 * [0, 1];  out = (v1 + e^.5 v2) / (1 + e^.5) = [3, -1] / (1 + e^.5) */
    s3.window = 2;
    CHECK_OK(hy_ref_attention(&s3, &a3, &err), &err);
    CHECK_NEAR(out3[4], 3.0 / (1 + e), 1e-6);
    CHECK_NEAR(out3[5], -1.0 / (1 + e), 1e-6);
    CHECK_NEAR(out3[2], out[2], 1e-7); /* token 1 sees keys 0, 1 either way */
    CHECK_NEAR(out3[0], 1.0, 1e-7);

    /* GQA: nH = 4, nKV = 2, hd = 1, decode at pos0 = 1 over a cache whose row 0
     * holds k = 0 and v = 1 (KV head 0) / v = 10 (KV head 1).  New k = 0 too, so
     * both keys weigh 1/2: KV head 0 -> (1 + 3) / 2 = 2, KV head 1 -> (10 + 30) / 2 = 20.
     * Query heads 0, 1 use KV head 0 and heads 2, 3 KV head 1 (contiguous
     * blocks): out = [2, 2, 20, 20]; tiling (h % nKV) would give [2, 20, 2, 20]. */
    float qg[4] = {1, -1, 2, 0.5f}, kg[2] = {0, 0}, vg[2] = {3, 30};
    float kcg[4] = {0, -5, 0, -5}, vcg[4] = {1, -5, 10, -5}, outg[4]; /* [nKV=2, cap=2, hd=1] */
    hy_attention_shape sg = {.T = 1, .nH = 4, .nKV = 2, .hd = 1, .pos0 = 1, .cap = 2, .scale = 1};
    hy_attention_args ag = {.q = qg, .k = kg, .v = vg, .k_cache = kcg, .v_cache = vcg, .out = outg};
    CHECK_OK(hy_ref_attention(&sg, &ag, &err), &err);
    CHECK_NEAR(outg[0], 2.0, 1e-6);
    CHECK_NEAR(outg[1], 2.0, 1e-6);
    CHECK_NEAR(outg[2], 20.0, 1e-6);
    CHECK_NEAR(outg[3], 20.0, 1e-6);
    CHECK(vcg[1] == 3.0f && vcg[3] == 30.0f); /* appended at row 1 of each KV head */

    sg.nKV = 3;
    CHECK_FAILS(hy_ref_attention(&sg, &ag, &err), &err, "nKV");
    sg.nKV = 2;
    sg.pos0 = 2;
    CHECK_FAILS(hy_ref_attention(&sg, &ag, &err), &err, "cap");
    sg.pos0 = 1;
    ag.v_cache = NULL;
    CHECK_FAILS(hy_ref_attention(&sg, &ag, &err), &err, "NULL");
}

/* ---- moe and mlp ----------------------------------------------------------- */

/* the scalar SwiGLU expert used by the hand cases: f(x) = d * silu(g x) * (u x) */
static double expert1(double g, double u, double d, double x)
{
    return d * silu(g * x) * (u * x);
}

static void test_moe(void)
{
    hy_error err = {{0}};
    /* E = 3, k = 2, H = I = 1.  Router w = [0, ln 2, ln 3]; experts
     * (gate, up, down) = (1, 1, 1), (2, 1, 10), (3, 2, 100).
     * token 0, x = 1: logits [0, ln2, ln3], softmax = [1, 2, 3] / 6
     *   top-2 = experts 2 (1/2) and 1 (1/3), NOT renormalised:
     *   y0 = 1/2 f2(1) + 1/3 f1(1)
     * token 1, x = -1: logits [0, -ln2, -ln3], softmax = [6, 3, 2] / 11
     *   top-2 = experts 0 (6/11) and 1 (3/11): y1 = 6/11 f0(-1) + 3/11 f1(-1) */
    float x[2] = {1, -1}, router[3] = {0, (float)log(2.0), (float)log(3.0)};
    float g[3] = {1, 2, 3}, u[3] = {1, 1, 2}, d[3] = {1, 10, 100};
    const float *gp[3] = {&g[0], &g[1], &g[2]}, *up[3] = {&u[0], &u[1], &u[2]};
    const float *dp[3] = {&d[0], &d[1], &d[2]};
    float y[2] = {0, 0};
    hy_moe_shape s = {.T = 2, .H = 1, .I = 1, .E = 3, .k = 2};
    hy_moe_args a = {.x = x, .w_router = router, .w_gate = gp, .w_up = up, .w_down = dp, .y = y};
    CHECK_OK(hy_ref_moe(&s, &a, &err), &err);
    double y0 = 0.5 * expert1(3, 2, 100, 1) + expert1(2, 1, 10, 1) / 3.0;
    double y1 = 6.0 / 11 * expert1(1, 1, 1, -1) + 3.0 / 11 * expert1(2, 1, 10, -1);
    CHECK_NEAR(y[0], y0, 1e-5 * fabs(y0));
    CHECK_NEAR(y[1], y1, 1e-6);

    /* accumulate: y += the same again */
    s.accumulate = 1;
    CHECK_OK(hy_ref_moe(&s, &a, &err), &err);
    CHECK_NEAR(y[0], 2 * y0, 2e-5 * fabs(y0));

    /* ties go to the lower index: router [0, ln2, ln2], x = 1, k = 1:
     * softmax [1, 2, 2] / 5, experts 1 and 2 tie -> expert 1: y = 2/5 f1(1) */
    float router_tie[3] = {0, (float)log(2.0), (float)log(2.0)};
    hy_moe_shape st = {.T = 1, .H = 1, .I = 1, .E = 3, .k = 1};
    a.w_router = router_tie;
    CHECK_OK(hy_ref_moe(&st, &a, &err), &err);
    CHECK_NEAR(y[0], 0.4 * expert1(2, 1, 10, 1), 1e-6);
    /* a tie for the second place: router [ln2, 0, 0], k = 2 -> experts 0 (1/2)
     * and 1 (1/4), not 2:  y = 1/2 f0(1) + 1/4 f1(1) */
    float router_tie2[3] = {(float)log(2.0), 0, 0};
    st.k = 2;
    a.w_router = router_tie2;
    CHECK_OK(hy_ref_moe(&st, &a, &err), &err);
    CHECK_NEAR(y[0], 0.5 * expert1(1, 1, 1, 1) + 0.25 * expert1(2, 1, 10, 1), 1e-6);

    st.k = 4;
    CHECK_FAILS(hy_ref_moe(&st, &a, &err), &err, "k");
    st.k = 0;
    CHECK_FAILS(hy_ref_moe(&st, &a, &err), &err, "k");
    st.k = 1;
    gp[1] = NULL;
    CHECK_FAILS(hy_ref_moe(&st, &a, &err), &err, "expert 1");
}

static void test_mlp(void)
{
    hy_error err = {{0}};
    /* H = 2, I = 2, x = [1, 2]
     * gate = [[1, 0], [0, 1]] -> [1, 2];  up = [[1, 1], [2, 0]] -> [3, 2]
     * act = [3 silu(1), 2 silu(2)];  down = [[1, 0], [1, -1]]
     * y = [act0, act0 - act1], then accumulate onto [1, 1] */
    float x[2] = {1, 2}, wg[4] = {1, 0, 0, 1}, wu[4] = {1, 1, 2, 0}, wd[4] = {1, 0, 1, -1};
    float y[2] = {1, 1};
    hy_mlp_shape s = {.T = 1, .H = 2, .I = 2, .accumulate = 1};
    hy_mlp_args a = {.x = x, .w_gate = wg, .w_up = wu, .w_down = wd, .y = y};
    CHECK_OK(hy_ref_mlp(&s, &a, &err), &err);
    double act0 = 3 * silu(1), act1 = 2 * silu(2);
    CHECK_NEAR(y[0], 1 + act0, 1e-6);
    CHECK_NEAR(y[1], 1 + act0 - act1, 1e-6);
    s.accumulate = 0;
    CHECK_OK(hy_ref_mlp(&s, &a, &err), &err);
    CHECK_NEAR(y[1], act0 - act1, 1e-6);
    s.I = 0;
    CHECK_FAILS(hy_ref_mlp(&s, &a, &err), &err, "I");
}

/* ---- the reference forward ------------------------------------------------- */

/* A tiny model built here: weights from a seeded xorshift generator. */
typedef struct tiny_model {
    hy_config c;
    hy_model_weights w;
    hy_layer_weights layers[4];
    const float *gate[4][3], *up[4][3], *down[4][3];
    float *owned[256];
    int n_owned;
    uint64_t rng;
} tiny_model;

static double uniform(tiny_model *m) /* in [-1, 1) */
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return (double)(m->rng >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* n floats, each center + spread * U(-1, 1) */
static float *tensor(tiny_model *m, int64_t n, double center, double spread)
{
    float *t = malloc((size_t)n * sizeof *t);
    for (int64_t i = 0; i < n; i++) t[i] = (float)(center + spread * uniform(m));
    m->owned[m->n_owned++] = t;
    return t;
}

static void tiny_build(tiny_model *m, int64_t window, int tie)
{
    memset(m, 0, sizeof *m);
    m->rng = 0x9e3779b97f4a7c15ull;
    hy_config *c = &m->c;
    /* layers: 0 Mamba + MoE, 1 attention + MLP, 2 Mamba + MLP, 3 attention + MoE */
    *c = (hy_config){.name = "tiny-test", .vocab = 13, .hidden = 8, .n_layers = 4,
                     .n_heads = 2, .n_kv_heads = 1, .head_dim = 4, .intermediate = 6,
                     .n_experts = 3, .top_k = 2, .d_state = 3, .d_conv = 3, .expand = 2,
                     .d_inner = 16, .dt_rank = 2, .attn_period = 2, .attn_offset = 1,
                     .expert_period = 3, .expert_offset = 0, .rms_eps = 1e-6,
                     .tie_embeddings = tie, .conv_bias = 1, .proj_bias = 1,
                     .sliding_window = window, .max_positions = 64};
    const int64_t H = 8, V = 13, Di = 16, N = 3, K = 3, R = 2, I = 6;
    m->w.embed = tensor(m, V * H, 0, 1.0);
    m->w.final_norm = tensor(m, H, 1, 0.1);
    m->w.lm_head = tie ? NULL : tensor(m, V * H, 0, 0.5);
    m->w.layers = m->layers;
    for (int64_t i = 0; i < 4; i++) {
        hy_layer_weights *l = &m->layers[i];
        l->input_norm = tensor(m, H, 1, 0.1);
        l->ff_norm = tensor(m, H, 1, 0.1);
        if (hy_layer_is_attention(c, i)) {
            l->attn.q_proj = tensor(m, 8 * H, 0, 0.5);
            l->attn.k_proj = tensor(m, 4 * H, 0, 0.5);
            l->attn.v_proj = tensor(m, 4 * H, 0, 0.5);
            l->attn.o_proj = tensor(m, H * 8, 0, 0.3);
        } else {
            hy_mamba_weights *mw = &l->mamba;
            mw->in_proj = tensor(m, 2 * Di * H, 0, 0.4);
            mw->in_proj_bias = tensor(m, 2 * Di, 0, 0.1);
            mw->conv_w = tensor(m, Di * K, 0, 0.5);
            mw->conv_b = tensor(m, Di, 0, 0.1);
            mw->x_proj = tensor(m, (R + 2 * N) * Di, 0, 0.3);
            mw->dt_proj = tensor(m, Di * R, 0, 0.5);
            mw->dt_bias = tensor(m, Di, -2.5, 1.0); /* dt around 0.03 .. 0.2 */
            float *A_log = tensor(m, Di * N, 0, 0.0);
            for (int64_t d = 0; d < Di; d++)
                for (int64_t n = 0; n < N; n++) A_log[d * N + n] = (float)log((double)(n + 1));
            mw->A_log = A_log;
            mw->D = tensor(m, Di, 1, 0.1);
            mw->out_proj = tensor(m, H * Di, 0, 0.3);
            mw->out_proj_bias = tensor(m, H, 0, 0.1);
            mw->dt_norm = tensor(m, R, 1, 0.1);
            mw->b_norm = tensor(m, N, 1, 0.1);
            mw->c_norm = tensor(m, N, 1, 0.1);
        }
        int64_t E = hy_layer_experts(c, i);
        l->ffn.n_experts = E;
        l->ffn.router = E > 1 ? tensor(m, E * H, 0, 1.0) : NULL;
        for (int64_t e = 0; e < E; e++) {
            m->gate[i][e] = tensor(m, I * H, 0, 0.5);
            m->up[i][e] = tensor(m, I * H, 0, 0.5);
            m->down[i][e] = tensor(m, H * I, 0, 0.5);
        }
        l->ffn.gate = m->gate[i];
        l->ffn.up = m->up[i];
        l->ffn.down = m->down[i];
    }
}

static void tiny_free(tiny_model *m)
{
    for (int i = 0; i < m->n_owned; i++) free(m->owned[i]);
}

/* max |a - b| / max |a| over n values */
static double rel_diff(const float *a, const float *b, int64_t n)
{
    double num = 0, den = 0;
    for (int64_t i = 0; i < n; i++) {
        num = fmax(num, fabs((double)a[i] - (double)b[i]));
        den = fmax(den, fabs((double)a[i]));
    }
    return num / fmax(den, 1e-30);
}

static void test_forward_splits(int64_t window, int tie)
{
    hy_error err = {{0}};
    tiny_model *m = calloc(1, sizeof *m);
    tiny_build(m, window, tie);
    const int64_t T = 7, V = m->c.vocab;
    const int32_t tokens[7] = {3, 0, 12, 7, 7, 1, 5};
    float full[7 * 13], step[7 * 13], split[7 * 13];
    hy_ref_cache *cache = NULL;
    CHECK_OK(hy_ref_cache_create(&m->c, 8, &cache, &err), &err);
    if (!cache) {
        tiny_free(m);
        free(m);
        return;
    }

    /* prefill of all 7 tokens */
    CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tokens, T, full, &err), &err);
    CHECK(hy_ref_cache_length(cache) == 7);
    double maxabs = 0;
    for (int64_t i = 0; i < T * V; i++) maxabs = fmax(maxabs, fabs(full[i]));
    CHECK(maxabs > 0.1 && isfinite(maxabs)); /* a live, finite signal */

    /* overflow: 7 + 2 > capacity 8 is refused, nothing changes */
    float junk[2 * 13];
    CHECK_FAILS(hy_ref_forward(&m->c, &m->w, cache, tokens, 2, junk, &err), &err, "capacity");
    CHECK(hy_ref_cache_length(cache) == 7);

    /* 7 single-token decodes from an empty cache */
    hy_ref_cache_reset(cache);
    CHECK(hy_ref_cache_length(cache) == 0);
    for (int64_t t = 0; t < T; t++)
        CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tokens + t, 1, step + t * V, &err), &err);
    CHECK(rel_diff(full, step, T * V) <= 1e-5);

    /* 3 + 4, with a rejected bad token in between that must change nothing */
    hy_ref_cache_reset(cache);
    CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tokens, 3, split, &err), &err);
    const int32_t bad[2] = {4, 13};
    CHECK_FAILS(hy_ref_forward(&m->c, &m->w, cache, bad, 2, junk, &err), &err, "token 1 is 13");
    const int32_t negative[1] = {-1};
    CHECK_FAILS(hy_ref_forward(&m->c, &m->w, cache, negative, 1, junk, &err), &err, "vocabulary");
    CHECK(hy_ref_cache_length(cache) == 3);
    CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tokens + 3, 4, split + 3 * V, &err), &err);
    CHECK(rel_diff(full, split, T * V) <= 1e-5);

    /* the history matters: the last token's logits differ from those of the
     * same token given alone (Mamba state and attention both carry it) */
    float alone[13];
    hy_ref_cache_reset(cache);
    CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tokens + 6, 1, alone, &err), &err);
    CHECK(rel_diff(full + 6 * V, alone, V) > 1e-3);

    CHECK_FAILS(hy_ref_forward(&m->c, &m->w, cache, tokens, 0, junk, &err), &err, "T");
    hy_ref_cache_destroy(cache);
    tiny_free(m);
    free(m);
}

/* The forward against the model written out step by step in this test from
 * the semantics (§3-§7), with dense copies instead of strided views,
 * explicit residual adds and an explicit scale 1/sqrt(hd) = 1/2: catches
 * wiring mistakes of the forward (wrong split, wrong norm, bias twice,
 * wrong scale, residual lost). */
static void test_forward_composition(void)
{
    hy_error err = {{0}};
    tiny_model *m = calloc(1, sizeof *m);
    tiny_build(m, 0, 0);
    const hy_config *c = &m->c;
    enum { T = 3, H = 8, V = 13, Di = 16, N = 3, K = 3, R = 2, I = 6, QW = 8, KVW = 4 };
    const int32_t tokens[T] = {5, 11, 2};
    float h[T * H], xn[T * H], tmp[T * H], logits[T * V], want[T * V];
    float q[T * QW], k[T * KVW], v[T * KVW], att[T * QW], kc[T * KVW], vc[T * KVW];
    float xz[T * 2 * Di], xs[T * Di], z[T * Di], u[T * Di], p[T * (R + 2 * N)];
    float dtr[T * R], Bm[T * N], Cm[T * N], delta[T * Di], ys[T * Di];

    for (int t = 0; t < T; t++) memcpy(h + t * H, m->w.embed + tokens[t] * H, sizeof(float) * H);
    for (int64_t i = 0; i < c->n_layers; i++) {
        const hy_layer_weights *l = &m->layers[i];
        hy_rmsnorm_shape nH_ = {.T = T, .D = H, .eps = 1e-6f};
        hy_rmsnorm_args na = {.x = h, .w = l->input_norm, .y = xn};
        CHECK_OK(hy_ref_rmsnorm(&nH_, &na, &err), &err);
        if (hy_layer_is_attention(c, i)) {
            hy_linear_shape sq = {.T = T, .in = H, .out = QW}, skv = {.T = T, .in = H, .out = KVW};
            CHECK_OK(hy_ref_linear(&sq, &(hy_linear_args){.x = xn, .w = l->attn.q_proj, .y = q}, &err), &err);
            CHECK_OK(hy_ref_linear(&skv, &(hy_linear_args){.x = xn, .w = l->attn.k_proj, .y = k}, &err), &err);
            CHECK_OK(hy_ref_linear(&skv, &(hy_linear_args){.x = xn, .w = l->attn.v_proj, .y = v}, &err), &err);
            hy_attention_shape sa = {.T = T, .nH = 2, .nKV = 1, .hd = 4, .pos0 = 0, .cap = T,
                                     .scale = 0.5f};
            hy_attention_args aa = {.q = q, .k = k, .v = v, .k_cache = kc, .v_cache = vc, .out = att};
            CHECK_OK(hy_ref_attention(&sa, &aa, &err), &err);
            hy_linear_shape so = {.T = T, .in = QW, .out = H};
            CHECK_OK(hy_ref_linear(&so, &(hy_linear_args){.x = att, .w = l->attn.o_proj, .y = tmp}, &err), &err);
        } else {
            const hy_mamba_weights *mw = &l->mamba;
            hy_linear_shape si = {.T = T, .in = H, .out = 2 * Di, .has_bias = 1};
            CHECK_OK(hy_ref_linear(&si, &(hy_linear_args){.x = xn, .w = mw->in_proj, .b = mw->in_proj_bias, .y = xz}, &err), &err);
            for (int t = 0; t < T; t++) /* x = first Di columns, z = last Di */
                for (int d = 0; d < Di; d++) {
                    xs[t * Di + d] = xz[t * 2 * Di + d];
                    z[t * Di + d] = xz[t * 2 * Di + Di + d];
                }
            hy_conv1d_shape sc = {.T = T, .C = Di, .K = K, .has_bias = 1, .silu = 1};
            CHECK_OK(hy_ref_conv1d(&sc, &(hy_conv1d_args){.x = xs, .w = mw->conv_w, .b = mw->conv_b, .y = u}, &err), &err);
            hy_linear_shape sx = {.T = T, .in = Di, .out = R + 2 * N};
            CHECK_OK(hy_ref_linear(&sx, &(hy_linear_args){.x = u, .w = mw->x_proj, .y = p}, &err), &err);
            for (int t = 0; t < T; t++) { /* dt_r | B | C */
                for (int j = 0; j < R; j++) dtr[t * R + j] = p[t * (R + 2 * N) + j];
                for (int n = 0; n < N; n++) {
                    Bm[t * N + n] = p[t * (R + 2 * N) + R + n];
                    Cm[t * N + n] = p[t * (R + 2 * N) + R + N + n];
                }
            }
            hy_rmsnorm_shape sr = {.T = T, .D = R, .eps = 1e-6f}, sn = {.T = T, .D = N, .eps = 1e-6f};
            CHECK_OK(hy_ref_rmsnorm(&sr, &(hy_rmsnorm_args){.x = dtr, .w = mw->dt_norm, .y = dtr}, &err), &err);
            CHECK_OK(hy_ref_rmsnorm(&sn, &(hy_rmsnorm_args){.x = Bm, .w = mw->b_norm, .y = Bm}, &err), &err);
            CHECK_OK(hy_ref_rmsnorm(&sn, &(hy_rmsnorm_args){.x = Cm, .w = mw->c_norm, .y = Cm}, &err), &err);
            hy_linear_shape sd = {.T = T, .in = R, .out = Di}; /* no bias: it goes into the scan */
            CHECK_OK(hy_ref_linear(&sd, &(hy_linear_args){.x = dtr, .w = mw->dt_proj, .y = delta}, &err), &err);
            hy_scan_shape ss = {.T = T, .D = Di, .N = N, .has_z = 1, .has_dt_bias = 1};
            hy_scan_args sa = {.u = u, .delta = delta, .A_log = mw->A_log, .B = Bm, .C = Cm,
                               .Dskip = mw->D, .z = z, .dt_bias = mw->dt_bias, .y = ys};
            CHECK_OK(hy_ref_scan(&ss, &sa, &err), &err);
            hy_linear_shape so = {.T = T, .in = Di, .out = H, .has_bias = 1};
            CHECK_OK(hy_ref_linear(&so, &(hy_linear_args){.x = ys, .w = mw->out_proj, .b = mw->out_proj_bias, .y = tmp}, &err), &err);
        }
        for (int j = 0; j < T * H; j++) h[j] += tmp[j];
        na.w = l->ff_norm;
        CHECK_OK(hy_ref_rmsnorm(&nH_, &na, &err), &err);
        if (l->ffn.n_experts > 1) {
            hy_moe_shape se = {.T = T, .H = H, .I = I, .E = 3, .k = 2};
            hy_moe_args ae = {.x = xn, .w_router = l->ffn.router, .w_gate = l->ffn.gate,
                              .w_up = l->ffn.up, .w_down = l->ffn.down, .y = tmp};
            CHECK_OK(hy_ref_moe(&se, &ae, &err), &err);
        } else {
            hy_mlp_shape sm = {.T = T, .H = H, .I = I};
            hy_mlp_args am = {.x = xn, .w_gate = l->ffn.gate[0], .w_up = l->ffn.up[0],
                              .w_down = l->ffn.down[0], .y = tmp};
            CHECK_OK(hy_ref_mlp(&sm, &am, &err), &err);
        }
        for (int j = 0; j < T * H; j++) h[j] += tmp[j];
    }
    hy_rmsnorm_shape sf = {.T = T, .D = H, .eps = 1e-6f};
    CHECK_OK(hy_ref_rmsnorm(&sf, &(hy_rmsnorm_args){.x = h, .w = m->w.final_norm, .y = xn}, &err), &err);
    hy_linear_shape sl = {.T = T, .in = H, .out = V};
    CHECK_OK(hy_ref_linear(&sl, &(hy_linear_args){.x = xn, .w = m->w.lm_head, .y = want}, &err), &err);

    hy_ref_cache *cache = NULL;
    CHECK_OK(hy_ref_cache_create(c, T, &cache, &err), &err);
    CHECK_OK(hy_ref_forward(c, &m->w, cache, tokens, T, logits, &err), &err);
    double d = rel_diff(want, logits, T * V);
    if (d > 1e-5) fprintf(stderr, "  forward vs step-by-step composition: %.3g\n", d);
    CHECK(d <= 1e-5);
    hy_ref_cache_destroy(cache);
    tiny_free(m);
    free(m);
}

static void test_forward_errors(void)
{
    hy_error err = {{0}};
    tiny_model *m = calloc(1, sizeof *m);
    tiny_build(m, 0, 0);
    hy_ref_cache *cache = NULL;
    CHECK_FAILS(hy_ref_cache_create(&m->c, 0, &cache, &err), &err, "capacity");
    CHECK_OK(hy_ref_cache_create(&m->c, 4, &cache, &err), &err);
    const int32_t tok[1] = {2};
    float logits[13];
    /* a missing weight is found before anything runs */
    const float *saved = m->layers[2].mamba.dt_bias;
    m->layers[2].mamba.dt_bias = NULL;
    CHECK_FAILS(hy_ref_forward(&m->c, &m->w, cache, tok, 1, logits, &err), &err, "dt_proj.bias");
    m->layers[2].mamba.dt_bias = saved;
    /* a cache made for another config is refused */
    hy_config other = m->c;
    other.d_state = 4;
    CHECK_FAILS(hy_ref_forward(&other, &m->w, cache, tok, 1, logits, &err), &err, "cache");
    CHECK(hy_ref_cache_length(cache) == 0);
    CHECK_OK(hy_ref_forward(&m->c, &m->w, cache, tok, 1, logits, &err), &err);
    hy_ref_cache_destroy(cache);
    tiny_free(m);
    free(m);
}

int main(void)
{
    test_linear();
    test_rmsnorm();
    test_conv1d();
    test_scan();
    test_ssd();
    test_attention();
    test_moe();
    test_mlp();
    test_forward_splits(0, 0);
    test_forward_splits(3, 0); /* sliding window */
    test_forward_splits(0, 1); /* tied embeddings, no lm_head */
    test_forward_composition();
    test_forward_errors();
    return hy_test_finish();
}
