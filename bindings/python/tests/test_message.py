"""Message templates and the ad-text lint from Python."""
import numpy as np
import pandas as pd
import pytest

import custops


def test_render_from_pandas():
    df = pd.DataFrame({"nickname": ["小王", ""], "coupon": np.array([1000, 500], dtype=np.int64)})
    t = custops.Template('{{nickname|default("亲")}}，送你{{coupon|money}}元券')
    assert t.fields == ["nickname", "coupon"]
    assert t.render(df, 0) == "小王，送你10.00元券"
    assert list(t.render_all(df)) == ["小王，送你10.00元券", "亲，送你5.00元券"]
    with pytest.raises(custops.Error, match="field 'tier'"):
        custops.Template("{{tier}}").check(df)
    with pytest.raises(custops.Error, match=r"<template>:1:3: expected a field name"):
        custops.Template("{{}}")


def test_ad_lint_frame():
    found = custops.ad_lint("全网最低价，国家级品质")
    assert list(found["term"]) == ["全网最低", "国家级"]
    assert list(found["column"]) == [1, 7]
    assert custops.ad_lint("最近浏览，第一次下单").empty
