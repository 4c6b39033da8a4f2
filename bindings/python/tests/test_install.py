"""`make install` puts the package where /usr/bin/python3 looks, and installs
every module of the package (the staged copy the tests import is made from
the same list as the installed one)."""
import glob
import os
import subprocess

import pytest

import custops

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "custops")


def test_every_module_is_installed():
    staged = os.path.dirname(custops.__file__)
    missing = [os.path.basename(p) for p in glob.glob(os.path.join(SRC, "*.py"))
               if not os.path.exists(os.path.join(staged, os.path.basename(p)))]
    assert not missing, f"add to PKG_PY in bindings/python/Makefile.am: {missing}"
    assert os.path.exists(os.path.join(staged, "py.typed"))


def test_install_dir_is_on_the_system_python_path():
    target = os.environ.get("CUSTOPS_PYEXECDIR")
    if not target:
        pytest.skip("CUSTOPS_PYEXECDIR not set (run through make check)")
    if not (target.startswith("/usr/local/") or target.startswith("/usr/lib/")):
        pytest.skip(f"custom prefix ({target}): set PYTHONPATH as the README says")
    if not os.path.exists("/usr/bin/python3"):
        pytest.skip("no /usr/bin/python3")
    path = subprocess.run(["/usr/bin/python3", "-c", "import sys; print('\\n'.join(sys.path))"],
                          capture_output=True, text=True, check=True, env={}).stdout.split()
    assert target in path
