# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of docker_context.py (the .dockerignore rules ci/check-build-sh applies).

    python3 -m unittest discover -s ci/lib -p 'test_*.py'
"""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import docker_context as dc  # noqa: E402


def out(rules_text, path):
    return dc.excluded(dc.parse(rules_text), path)


class Rules(unittest.TestCase):
    def test_a_name_is_anchored_at_the_top(self):
        self.assertTrue(out("build\n", "build"))
        self.assertTrue(out("build\n", "build/fuzz/fuzz/vmap_fuzz"))
        self.assertFalse(out("build\n", "kernel/build"))
        self.assertFalse(out("build\n", "kernel/build-tree"))
        self.assertTrue(out("/build/\n", "build/x"))

    def test_star_stays_in_one_element(self):
        self.assertTrue(out("*.md\n", "README.md"))
        self.assertFalse(out("*.md\n", "docs/geometry.md"))
        self.assertTrue(out("*/*.md\n", "docs/geometry.md"))
        self.assertTrue(out("fuzz/?map.dict\n", "fuzz/vmap.dict"))
        self.assertFalse(out("fuzz/?map.dict\n", "fuzz/ioremap.dict"))

    def test_double_star_crosses_folders(self):
        self.assertTrue(out("**/*.md\n", "README.md"))
        self.assertTrue(out("**/*.md\n", "corpus/vmap/findings/README.md"))
        self.assertTrue(out("corpus/**/nightly-*\n", "corpus/vmap/seeds/nightly-1.trace"))
        self.assertFalse(out("corpus/**/nightly-*\n", "corpus/vmap/seeds/s.trace"))

    def test_last_match_wins_and_exceptions_bring_back(self):
        rules = "docs\n!docs/keep.md\n"
        self.assertTrue(out(rules, "docs/geometry.md"))
        self.assertFalse(out(rules, "docs/keep.md"))
        self.assertTrue(out("!docs/keep.md\ndocs\n", "docs/keep.md"))

    def test_comments_blanks_and_classes(self):
        rules = "# build\n\n  out  \n[ab]ench\n"
        self.assertFalse(out(rules, "build/x"))
        self.assertTrue(out(rules, "out/nightly/report.md"))
        self.assertTrue(out(rules, "bench/x.cc"))
        with self.assertRaises(dc.PatternError):
            dc.parse("[abc\n")


class Context(unittest.TestCase):
    def test_copy_follows_the_rules_and_keeps_links(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "src")
            for p in ("a/x.cc", "build/big.o", "out/r.md", "docs/keep.md", "docs/drop.md"):
                os.makedirs(os.path.dirname(os.path.join(src, p)), exist_ok=True)
                with open(os.path.join(src, p), "w") as f:
                    f.write(p)
            os.symlink("a/x.cc", os.path.join(src, "link"))
            with open(os.path.join(src, ".dockerignore"), "w") as f:
                f.write("build\nout\ndocs\n!docs/keep.md\n")
            self.assertEqual(dc.main(["--list", src]), 0)
            dest = os.path.join(tmp, "ctx")
            self.assertEqual(dc.main([src, dest]), 0)
            got = sorted(os.path.relpath(os.path.join(t, n), dest)
                         for t, _, names in os.walk(dest) for n in names)
            self.assertEqual(got, [".dockerignore", "a/x.cc", "docs/keep.md", "link"])
            self.assertTrue(os.path.islink(os.path.join(dest, "link")))
            self.assertEqual(dc.main([src, dest]), 2)  # never into an existing folder

    def test_the_repository_rules_keep_what_build_sh_reads(self):
        """The repository's own .dockerignore: build.sh's inputs stay, build trees go."""
        with open(os.path.join(ROOT, ".dockerignore")) as f:
            rules = dc.parse(f.read())
        for kept in ("CMakeLists.txt", "cmake/sancov-ignorelist.txt", ".clusterfuzzlite/build.sh",
                     "fuzz/vmap.options", "fuzz/vmap.dict", "corpus/vmap/seeds/x.trace",
                     "engine/x.cc", "kernel/CMakeLists.txt", "oss-fuzz/build.sh"):
            self.assertFalse(dc.excluded(rules, kept), kept)
        for dropped in ("build/fuzz/fuzz/vmap_fuzz", "out/nightly/report.md", ".git/HEAD"):
            self.assertTrue(dc.excluded(rules, dropped), dropped)


if __name__ == "__main__":
    unittest.main()
