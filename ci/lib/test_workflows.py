# SPDX-License-Identifier: GPL-2.0-only
"""Checks of .github/workflows/cflite_*.yml and nightly.yml, which cannot run here.

What README "Corpus storage" promises of them: every ClusterFuzzLite step that can use the
storage repository gets it from the secret CFLITE_STORAGE_TOKEN (empty without it: GitHub
artifacts), and so does ci/nightly; every run that writes SARIF uploads it from a job allowed
to write security events; batch and PR runs minimize their crashes.

    python3 -m unittest discover -s ci/lib -p 'test_*.py'   (needs python3-yaml)
"""

import glob
import os
import unittest

try:
    import yaml
except ImportError:  # ci/setup installs python3-yaml; skip rather than fail without it
    yaml = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOWS = os.path.join(ROOT, ".github", "workflows")
STORAGE_URL = ("${{ secrets.CFLITE_STORAGE_TOKEN && format('https://{0}@github.com/{1}.git', "
               "secrets.CFLITE_STORAGE_TOKEN, env.CFLITE_STORAGE_REPO) || '' }}")
RUN = "google/clusterfuzzlite/actions/run_fuzzers@v1"
BUILD = "google/clusterfuzzlite/actions/build_fuzzers@v1"
SARIF = "github/codeql-action/upload-sarif@v4"


def load(name):
    with open(os.path.join(WORKFLOWS, name)) as f:
        return yaml.safe_load(f)


@unittest.skipIf(yaml is None, "python3-yaml is not installed")
class Workflows(unittest.TestCase):
    def test_every_workflow_parses(self):
        for path in glob.glob(os.path.join(WORKFLOWS, "*.yml")):
            with self.subTest(path=path):
                with open(path) as f:
                    self.assertIn("jobs", yaml.safe_load(f))

    def steps(self, name):
        for job_name, job in load(name)["jobs"].items():
            for step in job["steps"]:
                yield job_name, job, step

    def test_storage_repository_from_the_secret_only(self):
        for name in ("cflite_batch.yml", "cflite_cron.yml", "cflite_pr.yml"):
            wf = load(name)
            self.assertIn("vars.CFLITE_STORAGE_REPO", wf["env"]["CFLITE_STORAGE_REPO"], name)
            runs = 0
            for job_name, _, step in self.steps(name):
                if step.get("uses") == RUN:
                    runs += 1
                    w = step["with"]
                    self.assertEqual(w.get("storage-repo"), STORAGE_URL, (name, job_name))
                    self.assertEqual(w.get("storage-repo-branch"), "main", (name, job_name))
                    self.assertEqual(w.get("storage-repo-branch-coverage"), "gh-pages")
                if "storage-repo" in step.get("with", {}):
                    self.assertEqual(step["with"]["storage-repo"], STORAGE_URL, (name, job_name))
                if step.get("name") == "Corpus storage":
                    self.assertIn("secrets.CFLITE_STORAGE_TOKEN != ''", step["env"]["TOKEN_SET"])
            self.assertGreater(runs, 0, name)
        nightly = load("nightly.yml")
        step = next(s for s in nightly["jobs"]["nightly"]["steps"] if s.get("name") == "ci/nightly")
        self.assertEqual(step["env"]["VMAPFUZZ_CORPUS_REPO"], STORAGE_URL)
        self.assertEqual(step["env"]["VMAPFUZZ_CORPUS_BRANCH"], "main")

    def test_sarif_is_uploaded_where_it_is_written(self):
        written = 0
        for name in ("cflite_batch.yml", "cflite_cron.yml", "cflite_pr.yml", "cflite_build.yml"):
            for job_name in load(name)["jobs"]:
                job = load(name)["jobs"][job_name]
                steps = job["steps"]
                sarif = [s for s in steps if s.get("uses") == RUN and s["with"].get("output-sarif")]
                uploads = [s for s in steps if s.get("uses") == SARIF]
                if not sarif:
                    self.assertEqual(uploads, [], (name, job_name))
                    continue
                written += 1
                self.assertEqual(job["permissions"].get("security-events"), "write", (name, job_name))
                self.assertEqual(len(uploads), 1, (name, job_name))
                up = uploads[0]
                self.assertGreater(steps.index(up), steps.index(sarif[0]))
                self.assertIn("always()", up["if"])
                self.assertIn("hashFiles('cifuzz-sarif/results.sarif')", up["if"])
                self.assertEqual(up["with"]["sarif_file"], "cifuzz-sarif/results.sarif")
        self.assertEqual(written, 2)  # batch and PR

    def test_fuzzing_runs_minimize_crashes(self):
        for name, mode in (("cflite_batch.yml", "batch"), ("cflite_pr.yml", "code-change")):
            for _, _, step in self.steps(name):
                if step.get("uses") == RUN:
                    self.assertEqual(step["with"]["mode"], mode)
                    self.assertIs(step["with"]["minimize-crashes"], True, name)

    def test_builds_are_clusterfuzzlite_actions(self):
        for name in ("cflite_batch.yml", "cflite_cron.yml", "cflite_pr.yml", "cflite_build.yml"):
            uses = [s.get("uses") for _, _, s in self.steps(name) if s.get("id") == "build"]
            self.assertTrue(uses and all(u == BUILD for u in uses), name)


if __name__ == "__main__":
    unittest.main()
