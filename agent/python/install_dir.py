"""Where `make install` puts the leakagent package for the interpreter that
runs this file, and what that interpreter will make of it.  Used by the
install rules of agent/python.mk; not part of the package.

    python install_dir.py [--prefix PREFIX] [--site DIR]
        print the site-packages directory to install into:
        --site DIR       DIR itself (a packager's explicit choice);
        --prefix PREFIX  a site-packages directory of this interpreter
                         right under PREFIX/lib (so it imports the package
                         with no PYTHONPATH: PREFIX=/usr/local on Debian is
                         /usr/local/lib/python3.11/dist-packages, PREFIX=/usr
                         /usr/lib/python3/dist-packages, as Debian's packages
                         use), else PREFIX/lib/pythonX.Y/site-packages, what
                         `pip install --prefix PREFIX` writes;
        neither          the interpreter's own site-packages (platlib), as a
                         plain `pip install` (a venv's, when PYTHON is one).

    python install_dir.py --report SITE [--destdir DESTDIR]
        say, on stdout, where the package went and whether this interpreter
        finds it there (and if not, how to make it).

    python install_dir.py --dist-info DIR --version VERSION
        write DIR/leakagent-VERSION.dist-info for the package installed in
        DIR (the site directory, under DESTDIR): METADATA, INSTALLER, RECORD
        (every file, with its hash, so `pip uninstall leakagent` works too)
        and entry_points.txt, whose [pytest11] entry makes pytest load the
        plugin leakagent.pytest by itself.
"""

import argparse
import os
import site
import sys
import sysconfig


def site_dirs():
    """The site-packages directories this interpreter reads .pth files from,
    in its search order."""
    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    platlib = sysconfig.get_path("platlib")
    if platlib not in dirs:
        dirs.append(platlib)
    return [os.path.normpath(d) for d in dirs]


def under_prefix(prefix):
    """The site-packages directory for PREFIX (see the module's text)."""
    lib = os.path.join(os.path.normpath(prefix), "lib") + os.sep
    for d in site_dirs():
        if d.startswith(lib):
            return d
    return os.path.join(prefix, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")


def report(site_dir, destdir):
    """The lines telling where the package went."""
    who = "%s (CPython %s)" % (sys.executable, sys.version.split()[0])
    where = os.path.join(site_dir, "leakagent")
    if destdir:
        lines = ["leakagent: staged for %s in %s%s" % (who, destdir, where),
                 "leakagent: once unpacked at %s:" % where]
    else:
        lines = ["leakagent: installed for %s in %s" % (who, where)]
    site_dir = os.path.normpath(site_dir)
    if site_dir in site_dirs():
        lines.append("leakagent: it imports it from there, and the autostart .pth there runs "
                     "the agent when LEAKAGENT_CONFIG is set")
    elif site_dir in [os.path.normpath(p) for p in sys.path]:
        lines.append("leakagent: it imports it from there (on sys.path), but reads no .pth "
                     "there: start the agent with leakagent.start() or python -m leakagent")
    else:
        lines.append("leakagent: %s does not search %s: run it with PYTHONPATH=%s (the "
                     "autostart .pth is read only in site directories: use "
                     "leakagent.start() or python -m leakagent there)"
                     % (sys.executable, site_dir, site_dir))
    return lines


ENTRY_POINTS = "[pytest11]\nleakagent.pytest = leakagent.pytest\n"


def write_dist_info(site_dir, version):
    """The dist-info of the files make install put into site_dir."""
    import base64
    import hashlib
    info = "leakagent-%s.dist-info" % version
    os.makedirs(os.path.join(site_dir, info), exist_ok=True)
    texts = {
        "METADATA": "Metadata-Version: 2.1\nName: leakagent\nVersion: %s\nSummary: count live "
                    "Python objects by type into a rotating log (leakplot draws it)\n" % version,
        "INSTALLER": "make\n",
        "entry_points.txt": ENTRY_POINTS,
    }
    for name, text in texts.items():
        with open(os.path.join(site_dir, info, name), "w") as f:
            f.write(text)
    files = ["leakagent-autostart.pth"] + ["%s/%s" % (info, n) for n in sorted(texts)]
    files += ["leakagent/" + n for n in sorted(os.listdir(os.path.join(site_dir, "leakagent")))
              if os.path.isfile(os.path.join(site_dir, "leakagent", n))]
    rows = []
    for rel in files:
        with open(os.path.join(site_dir, rel), "rb") as f:
            data = f.read()
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append("%s,sha256=%s,%d" % (rel, digest, len(data)))
    rows.append("%s/RECORD,," % info)
    with open(os.path.join(site_dir, info, "RECORD"), "w") as f:
        f.write("\n".join(rows) + "\n")


def main(argv):
    parser = argparse.ArgumentParser(prog="install_dir.py")
    parser.add_argument("--prefix")
    parser.add_argument("--site")
    parser.add_argument("--report", metavar="SITE")
    parser.add_argument("--destdir", default="")
    parser.add_argument("--dist-info", metavar="DIR")
    parser.add_argument("--version")
    opts = parser.parse_args(argv)
    if opts.dist_info:
        write_dist_info(opts.dist_info, opts.version)
    elif opts.report:
        print("\n".join(report(opts.report, opts.destdir)))
    elif opts.site:
        print(os.path.normpath(opts.site))
    elif opts.prefix:
        print(under_prefix(opts.prefix))
    else:
        print(os.path.normpath(sysconfig.get_path("platlib")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
