"""Scoring a million customers from Python against the same work in C.

BG/NBD P(alive) and conditional expected purchases for 1M simulated
customers (the CDNOW parameters of bench_clv.c, weekly, untied times):
through the custops package (numpy arrays in and out) and through a direct
call of the C functions on the same arrays (ctypes, no binding work), in one
process on the same data. The ratio is the binding's cost. Times are process
CPU seconds (the machine is shared), best of a few repetitions. Writes
clv_py.json and clv_py.md (BENCH_OUT), and also quotes bench_clv's own C
throughput from clv.json when it ran first.
"""
import ctypes
import json
import os
import sys
import time

import numpy as np

N = 1_000_000
REPS = 3
BG = [0.243, 4.414, 0.793, 2.426]
figures = []


def record(name, value, unit, goal="", met=None):
    figures.append((name, value, unit, goal, met))
    print(f"{name:<56} {value:14.4g} {unit:<12} {goal}{'  (met)' if met else '  (MISSED)' if met is False else ''}")
    sys.stdout.flush()


def best_cpu(fn):
    best = float("inf")
    for _ in range(REPS):
        c0 = time.process_time()
        fn()
        best = min(best, time.process_time() - c0)
    return best


def libcustops():
    """The C library the package's extension is linked against."""
    for d in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep) + [""]:
        path = os.path.join(d, "libcustops.so") if d else "libcustops.so"
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    raise OSError("libcustops.so not found (set LD_LIBRARY_PATH)")


def main():
    import custops

    model = custops.clv.Model.from_params("bgnbd", BG)
    rng = np.random.default_rng(7)
    T = 27.0 + 12.0 * rng.random(N)
    sim = model.simulate(T, seed=7)
    x, tx = sim["frequency"].to_numpy(), sim["recency"].to_numpy()

    # the C functions called directly on the same arrays
    lib = libcustops()
    dp = ctypes.POINTER(ctypes.c_double)
    lib.custops_clv_new.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, dp, ctypes.c_size_t]
    lib.custops_clv_prob_alive.argtypes = [ctypes.c_void_p, dp, dp, dp, ctypes.c_size_t, dp]
    lib.custops_clv_conditional_expected_purchases.argtypes = [ctypes.c_void_p, ctypes.c_double, dp, dp, dp,
                                                               ctypes.c_size_t, dp]
    lib.custops_clv_free.argtypes = [ctypes.c_void_p]
    h = ctypes.c_void_p()
    params = np.array(BG)
    if lib.custops_clv_new(ctypes.byref(h), custops.native.CLV_BGNBD, params.ctypes.data_as(dp), 4) != 0:
        raise RuntimeError("custops_clv_new failed")
    out_alive, out_cond = np.empty(N), np.empty(N)
    ptr = [a.ctypes.data_as(dp) for a in (x, tx, T)]

    def c_score():
        if lib.custops_clv_prob_alive(h, *ptr, N, out_alive.ctypes.data_as(dp)) != 0:
            raise RuntimeError("prob_alive failed")
        if lib.custops_clv_conditional_expected_purchases(h, 4.0, *ptr, N, out_cond.ctypes.data_as(dp)) != 0:
            raise RuntimeError("conditional_expected_purchases failed")

    res = {}

    def py_score():
        res["alive"] = model.prob_alive(x, tx, T)
        res["cond"] = model.conditional_expected_purchases(4.0, x, tx, T)

    def py_score_once():
        res["alive1"], res["cond1"] = model.score(x, tx, T, 4.0)

    bgf = custops.clv.BetaGeoFitter()
    bgf._m = model  # a fitted fitter with the bench parameters

    def lifetimes_score():
        bgf.conditional_probability_alive(x, tx, T)
        bgf.conditional_expected_number_of_purchases_up_to_time(4.0, x, tx, T)

    t_c = best_cpu(c_score)
    t_py = best_cpu(py_score)
    t_py1 = best_cpu(py_score_once)
    t_lt = best_cpu(lifetimes_score)
    # same numbers both ways
    if not all(np.array_equal(res[a], out_alive) and np.array_equal(res[c], out_cond)
               for a, c in (("alive", "cond"), ("alive1", "cond1"))):
        raise RuntimeError("the binding and the C call disagree")
    lib.custops_clv_free(h)

    record("score 1M bgnbd (P(alive) + expected purchases), C call", t_c, "s cpu")
    record("score 1M bgnbd, custops.clv.Model (numpy in/out)", t_py, "s cpu")
    record("score 1M bgnbd, Model.score (inputs sent once)", t_py1, "s cpu")
    record("score 1M bgnbd, BetaGeoFitter (lifetimes API)", t_lt, "s cpu")
    ratio = t_py1 / t_c
    record("Python / C time, Model.score", ratio, "x", "< 1.5", ratio < 1.5)
    record("Python / C time, prob_alive + conditional_expected_purchases", t_py / t_c, "x")
    record("Python / C time, BetaGeoFitter", t_lt / t_c, "x")
    record("customers scored per second from Python", N / t_py1 / 1e6, "M/s cpu")

    out = os.environ.get("BENCH_OUT", ".")
    c_json = os.path.join(out, "clv.json")
    if os.path.exists(c_json):  # bench_clv's own P(alive) throughput, if it ran first
        with open(c_json) as f:
            c = {f_["name"]: f_["value"] for f_ in json.load(f)["figures"]}
        if "prob_alive bgnbd" in c:
            record("bench_clv: prob_alive bgnbd (C program)", c["prob_alive bgnbd"], "M/s cpu")
    with open(os.path.join(out, "clv_py.json"), "w") as j:
        json.dump({"suite": "clv_py", "library": custops.version(),
                   "figures": [{"name": n, "value": v, "unit": u, "goal": g, "met": m}
                               for n, v, u, g, m in figures]}, j, indent=1)
    with open(os.path.join(out, "clv_py.md"), "w") as m:
        m.write(f"## clv_py (libcustops {custops.version()}: scoring 1M customers from Python vs C)\n\n"
                "| figure | value | unit | goal | met |\n|---|---:|---|---|---|\n")
        for n, v, u, g, met in figures:
            m.write(f"| {n} | {v:.4g} | {u} | {g} | {'yes' if met else '**no**' if met is False else ''} |\n")


if __name__ == "__main__":
    main()
