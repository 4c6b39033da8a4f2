"""Store.ingest_dataframe and Model.score: the DataFrame path gives the same
store as the CSV files, errors carry the library's message, and scoring in
one call equals the two separate predictions."""
import numpy as np
import pandas as pd
import pytest

import custops

NOW = custops.parse_time("2025-01-01 00:00", custops.Zone("Asia/Shanghai"))


def test_dataframe_ingest_equals_csv_ingest(tmp_path):
    custops.synth_write(tmp_path, customers=400, seed=9)
    lines = custops.synth_order_lines(customers=400, seed=9)
    assert lines["unit_price"].dtype == np.int64  # minor units, converted exactly
    with custops.Store("Asia/Shanghai", "CNY") as a, custops.Store("Asia/Shanghai", "CNY") as b:
        res = a.ingest_dataframe(lines)
        assert res.rows == len(lines) and res.accepted == len(lines)
        b.ingest_csv(tmp_path / "orders.csv")
        pd.testing.assert_frame_equal(a.features(NOW), b.features(NOW), check_exact=True)
        for col in ("amount", "discount", "time", "qty"):
            np.testing.assert_array_equal(a.lines()[col], b.lines()[col])


def test_money_text_is_exact():
    from custops._store import _minor_to_text

    got = _minor_to_text(np.array([0, 5, 6990, -1234, 100000000000001]), 2).tolist()
    assert got == ["0.00", "0.05", "69.90", "-12.34", "1000000000000.01"]
    assert _minor_to_text(np.array([7, 1500]), 0).tolist() == ["7", "1500"]
    assert _minor_to_text(np.array([1]), 3).tolist() == ["0.001"]


def test_dataframe_ingest_errors_carry_the_message():
    lines = custops.synth_order_lines(customers=20, seed=1)
    lines.loc[3, "qty"] = -2
    with custops.Store("Asia/Shanghai", "CNY") as st:
        with pytest.raises(custops.Error) as e:
            st.ingest_dataframe(lines)
        assert "qty" in str(e.value) and ":5:" in str(e.value)  # header is line 1, row 3 is line 5
        assert len(st) == 0  # whole or nothing
        with pytest.raises(ValueError):
            st.ingest_dataframe(lines, kind="orders")


def test_score_equals_separate_predictions():
    m = custops.clv.Model.from_params("bgnbd", [0.243, 4.414, 0.793, 2.426])
    sim = m.simulate(np.linspace(1, 52, 2000), seed=3)
    x, r, T = sim["frequency"].to_numpy(), sim["recency"].to_numpy(), np.linspace(1, 52, 2000)
    alive, cond = m.score(x, r, T, 6.0)
    np.testing.assert_array_equal(alive, m.prob_alive(x, r, T))
    np.testing.assert_array_equal(cond, m.conditional_expected_purchases(6.0, x, r, T))
    assert alive.flags.writeable and ((alive > 0) & (alive <= 1)).all()
