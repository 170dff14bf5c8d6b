"""pytest plugin: leak checks as a marker.

    import pytest

    @pytest.mark.no_leak(runs=200, warmup=20)
    def test_parser_does_not_leak():
        parse(SAMPLE)

A test with the marker is called warmup + runs times (and runs more when a
series looks like growing; leakagent.testing.assert_no_growth) and fails,
listing each growing type or [blocks] with its growth per call, when what it
leaves behind grows with the number of calls.  Its fixtures are set up once
and shared by all the calls.  Other tests run as usual.

`make install` registers the plugin with pytest (an entry point in the
leakagent dist-info it installs); elsewhere `pytest -p leakagent.pytest`
loads it, and `-p no:leakagent.pytest` keeps it out.
"""

import inspect

import pytest

from .testing import assert_no_growth

MARKER = "no_leak"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "%s(runs=200, warmup=20): call the test warmup + runs times and fail if object "
        "counts by type or sys.getallocatedblocks() grow with the number of calls "
        "(leakagent.testing.assert_no_growth)" % MARKER)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    marker = pyfuncitem.get_closest_marker(MARKER)
    if marker is None:
        return None
    if marker.args:
        raise pytest.UsageError("@pytest.mark.%s takes keyword arguments only "
                                "(runs=..., warmup=...), in %s" % (MARKER, pyfuncitem.nodeid))
    test = pyfuncitem.obj
    if inspect.iscoroutinefunction(test):
        raise pytest.UsageError("@pytest.mark.%s does not run async tests (%s)"
                                % (MARKER, pyfuncitem.nodeid))
    names = pyfuncitem._fixtureinfo.argnames
    args = {name: pyfuncitem.funcargs[name] for name in names}

    def call():
        test(**args)
    call.__qualname__ = pyfuncitem.nodeid
    assert_no_growth(call, **marker.kwargs)
    return True
