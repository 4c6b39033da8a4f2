"""custops.dask on a real distributed.LocalCluster (two worker processes on
127.0.0.1): features, scores, CLV fits and audiences computed per partition
must equal the single-machine results."""
import os

import numpy as np
import pandas as pd
import pytest

import custops

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import custops.dask as cd  # noqa: E402

# tornado under distributed 2022.12 warns on its own event-loop set-up
pytestmark = pytest.mark.filterwarnings("ignore:make_current is deprecated:DeprecationWarning",
                                        "ignore:There is no current event loop:DeprecationWarning")

NOW = custops.parse_time("2025-01-01 00:00", custops.Zone("Asia/Shanghai"))


@pytest.fixture(scope="module")
def lines():
    return custops.synth_order_lines(customers=3000, seed=17)


@pytest.fixture(scope="module")
def client():
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = "/nonexistent"  # workers must get the package's path from worker_env()
    try:
        os.environ.update(cd.worker_env())  # spawned worker processes inherit the environment
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                           dashboard_address=None)
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


@pytest.fixture(scope="module")
def single(lines):
    """Everything computed on one machine from the whole table."""
    feats = cd.local_features(lines, NOW, zone="Asia/Shanghai")
    bg = custops.clv.Model.fit("bgnbd", feats["frequency"], feats["recency"], feats["T"])
    gg = custops.clv.Model.fit_spend(feats["frequency"], feats["monetary"])
    scored = cd.score_frame(feats, bg, t=8, spend=gg)
    return feats, bg, gg, scored


@pytest.fixture(scope="module")
def dist(client, lines):
    parts = cd.partition_by_customer(lines, npartitions=5)
    feats = cd.features(parts, NOW, zone="Asia/Shanghai").persist()
    return parts, feats


@pytest.fixture(scope="module")
def dscored(dist, single):
    _, bg, gg, _ = single
    return cd.score(dist[1], bg, t=8, spend=gg).persist()


def _by_id(df):
    return df.sort_values("customer_id").reset_index(drop=True)


def test_workers_are_separate_processes(client):
    pids = client.run(lambda: __import__("os").getpid())
    assert len(set(pids.values())) == 2
    assert len(set(client.run(lambda: __import__("custops").version()).values())) == 1
    # the workers import this very package, found through the PYTHONPATH they were started with
    here = os.path.dirname(custops.__file__)
    files = client.run(lambda: os.path.dirname(__import__("custops").__file__))
    assert set(files.values()) == {here}
    paths = client.run(lambda: os.environ["PYTHONPATH"].split(os.pathsep)[0])
    assert set(paths.values()) == {os.path.dirname(here)}


def test_partitions_hold_whole_customers(dist):
    parts, _ = dist
    ids = parts.map_partitions(lambda p: pd.Series(p["customer_id"].unique()), meta=("customer_id", object))
    ids = ids.compute()
    assert ids.is_unique  # no customer is split across partitions
    assert parts.npartitions == 5


def test_features_equal_single_machine(dist, single, lines):
    got = _by_id(dist[1].compute())
    want = _by_id(single[0])
    assert len(got) == lines["customer_id"].nunique()
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    # and equal to Store.features on every column that is not a dictionary code
    with custops.Store("Asia/Shanghai", "CNY") as st:
        st.ingest_dataframe(lines)
        plain = _by_id(st.features(NOW))
    cols = [c for c in plain.columns if c != "top_category"]
    pd.testing.assert_frame_equal(got[cols], plain[cols], check_exact=True)


def test_features_with_refunds_from_csv_files(client, tmp_path):
    """Order lines and refunds read as text from the synthetic store's CSV
    files: the distributed features equal a Store that ingested the files."""
    custops.synth_write(tmp_path, customers=1500, seed=29, refund_rate=0.2)
    lines = pd.read_csv(tmp_path / "orders.csv", dtype=str, keep_default_na=False)
    refunds = pd.read_csv(tmp_path / "refunds.csv", dtype=str, keep_default_na=False)
    assert len(refunds) > 50
    parts = cd.partition_by_customer(lines, npartitions=4)
    got = _by_id(cd.features(parts, NOW, refunds=refunds, zone="Asia/Shanghai").compute())
    with custops.Store("Asia/Shanghai", "CNY") as st:
        st.ingest_csv(tmp_path / "orders.csv")
        st.ingest_csv(tmp_path / "refunds.csv")
        want = _by_id(st.features(NOW))
        names = st.dict("category")
    want["top_category"] = np.append(names, "")[np.where(want["top_category"] >= 0, want["top_category"], len(names))]
    cols = [c for c in want.columns if c != "top_category"]
    pd.testing.assert_frame_equal(got[cols], want[cols], check_exact=True)
    assert (got["refund_rate"] > 0).sum() > 20  # the refunds arrived
    # ties included: both break them by name, whatever order categories came in
    assert (got["top_category"] == want["top_category"]).all()


def test_fit_from_merged_statistics_equals_full_fit(dist, single):
    _, feats = dist
    _, bg, gg, _ = single
    stats = cd.clv_statistics(feats)
    assert stats["weight"].sum() == len(single[0])
    assert len(stats) < len(single[0])  # compressed
    m = cd.fit(feats, "bgnbd")
    for k, v in bg.params.items():
        assert m.params[k] == pytest.approx(v, rel=1e-9)
    assert m.loglik == pytest.approx(bg.loglik, rel=1e-12)
    s = cd.fit(feats, "gamma_gamma")
    for k, v in gg.params.items():
        assert s.params[k] == pytest.approx(v, rel=1e-9)


def test_scores_equal_single_machine(dscored, single):
    scored = single[3]
    got = _by_id(dscored.compute())
    want = _by_id(scored)
    for c in ("p_alive", "expected_purchases", "expected_spend", "clv"):
        np.testing.assert_array_equal(got[c].to_numpy(), want[c].to_numpy())
    assert (got["p_alive"].between(0, 1)).all()


@pytest.mark.parametrize("text", [
    "orders >= 3 and spend > 500",
    "clv in top 10%",
    "p_alive in bottom 25% and frequency >= 1",
    "spend in top 5% or days_since_last_order <= 30",
])
def test_audience_membership_equal_single_machine(dscored, single, text):
    scored = single[3]
    got = cd.audience(dscored, text, NOW).compute()
    want = custops.Audience(text, scored.reset_index(drop=True), NOW).mask()
    want_ids = set(scored["customer_id"][want])
    assert set(got.index[got.to_numpy()]) == want_ids
    assert len(got) == len(scored)
    assert 0 < len(want_ids) < len(scored)  # the case discriminates


def test_resolve_percentiles_matches_library(single):
    scored = single[3].reset_index(drop=True)
    text = cd.resolve_percentiles("clv in top 10%", scored)
    assert text.startswith("clv >= ")
    a = custops.Audience(text, scored, NOW).mask()
    b = custops.Audience("clv in top 10%", scored, NOW).mask()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        cd.resolve_percentiles("clv in top 0%", scored)


def test_model_pickles_whole(single):
    import pickle

    bg = single[1]
    m = pickle.loads(pickle.dumps(bg))
    assert m.params == bg.params and m.stderr == bg.stderr and m.loglik == bg.loglik


def test_bad_audience_raises_before_work(dist):
    with pytest.raises(custops.Error):
        cd.audience(dist[1], "orders >=", NOW)


@pytest.mark.parametrize("text", [
    'bought category "baby" in -180d..now >= 1 and orders in -365d..now >= 2',
    "orders in -60d..now >= 1 or clv in top 5%",
])
def test_audience_with_lines_equal_single_machine(dist, single, lines, text):
    parts, _ = dist
    _, bg, gg, _ = single
    got = cd.audience_from_lines(parts, text, NOW, model=bg, spend=gg, t=8, zone="Asia/Shanghai").compute()
    with custops.Store("Asia/Shanghai", "CNY") as st:
        st.ingest_dataframe(lines)
        scored = cd.score_frame(st.features(NOW), bg, t=8, spend=gg)
        dicts = {"category": st.dict("category"), "sku": st.dict("sku")}
        want = custops.Audience(text, scored, NOW, lines=st.lines(), dicts=dicts,
                                zone=custops.Zone("Asia/Shanghai")).mask()
    want_ids = set(scored["customer_id"][want])
    assert len(got) == len(scored)
    assert set(got.index[got.to_numpy()]) == want_ids
    assert 0 < len(want_ids) < len(scored)
