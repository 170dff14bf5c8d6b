"""Run the leakagent integration tests (tests/python/test_*.py) under the
interpreter running this file, and end with the line "N passed, N failed".

Usage: python3 tests/python/integration.py [-k PATTERN] [test module...]
"""

import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    patterns = []
    names = []
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "-k" and args:
            patterns.append(args.pop(0))
        else:
            names.append(arg)
    if patterns:
        loader.testNamePatterns = ["*%s*" % p for p in patterns]
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    started = time.monotonic()
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = result.testsRun - failed - skipped
    print("python %s: %d passed, %d failed, %d skipped in %.1f s"
          % (sys.version.split()[0], passed, failed, skipped, time.monotonic() - started))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
