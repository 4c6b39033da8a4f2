"""The public API is documented and annotated: every public function,
method and property of custops, custops.clv, custops.dask and custops.plot
has a docstring and a return annotation (the package ships py.typed, so type
checkers read these annotations instead of stubs)."""
import inspect
import os

import pytest

import custops
import custops.clv



def _public(module):
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj):
            assert obj.__doc__, f"{module.__name__}.{name} has no docstring"
            for cls in obj.__mro__[:-1]:
                for attr, value in vars(cls).items():
                    if attr.startswith("_"):
                        continue
                    fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
                    if inspect.isfunction(fn):
                        yield f"{name}.{attr}", fn
        elif inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize("modname", ["custops", "custops.clv", "custops.dask", "custops.plot"])
def test_public_api_is_documented_and_annotated(modname):
    if modname == "custops.dask":
        pytest.importorskip("dask.dataframe")
    module = __import__(modname, fromlist=["_"])
    seen, missing = 0, []
    for name, fn in _public(module):
        seen += 1
        if not fn.__doc__:
            missing.append(f"{name}: no docstring")
        if "return" not in fn.__annotations__:
            missing.append(f"{name}: no return annotation")
    assert seen > 5
    assert not missing, missing


def test_package_is_marked_typed():
    assert os.path.exists(os.path.join(os.path.dirname(custops.__file__), "py.typed"))
