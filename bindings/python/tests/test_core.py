"""Foundation: the package imports, errors raise, arrays go in and out."""
import numpy as np
import pytest

import custops


def test_version_matches_library():
    assert custops.version() == custops.__version__
    assert custops.native.VERSION == custops.version()


def test_money_round_trip_and_errors():
    assert custops.money_parse("69.90") == 6990
    assert custops.money_format(6990) == "69.90"
    assert custops.currency_exponent("JPY") == 0
    with pytest.raises(custops.Error) as e:
        custops.money_parse("1.005")
    assert "more than 2 decimals" in str(e.value)
    assert e.value.status == custops.native.ERANGE
    with pytest.raises(custops.Error):
        custops.money_parse("abc")


def test_shanghai_midnight():
    z = custops.Zone("Asia/Shanghai")
    t = custops.parse_time("2024-11-11 00:00", z)
    assert t == 1731254400
    assert custops.format_time(t) == "2024-11-10T16:00:00Z"
    assert z.offset(t) == 8 * 3600
    assert z.local_day(t) == 20038
    with pytest.raises(custops.Error, match=":1:6:"):
        custops.parse_time("2024-13-01")


def test_frame_numpy_and_pandas(tmp_path):
    ids = np.arange(5, dtype=np.int64)
    vals = np.linspace(0, 1, 5)
    f = custops.Frame.from_columns({"id": ids, "v": vals, "name": ["a", "b", "c", "d", "e"]})
    assert len(f) == 5
    assert f.columns == ["id", "v", "name"]
    np.testing.assert_array_equal(f["id"], ids)
    np.testing.assert_array_equal(f["v"], vals)
    assert list(f["name"]) == ["a", "b", "c", "d", "e"]
    df = f.to_pandas()
    assert list(df.columns) == ["id", "v", "name"]
    assert df["v"].dtype == np.float64
    f2 = custops.Frame.from_pandas(df)
    np.testing.assert_array_equal(f2["v"], vals)
    out = tmp_path / "f.csv"
    f.write_csv(out)
    assert out.read_text().splitlines()[0] == "id,v,name"
    with pytest.raises(custops.Error, match="has 2 rows"):
        custops.native.frame_add_int64(f._h, "short", np.zeros(2, dtype=np.int64))
    with pytest.raises(TypeError):
        custops.native.frame_add_double(f._h, "bad", np.zeros(5, dtype=np.float32))
    with pytest.raises(custops.Error, match="no column"):
        f.column("missing")
    with f:
        pass
    with pytest.raises(ValueError):
        len(f)
