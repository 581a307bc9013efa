# Imported by every Python process a README example starts (PYTHONPATH):
# notes the script it runs, so the doc-test knows an example's second
# process really ran (as readme-record-run.cjs does for Node).
import os
import sys

if os.environ.get("SHMKIT_README_RUNS") and sys.argv and sys.argv[0].endswith(".py"):
    with open(os.environ["SHMKIT_README_RUNS"], "a") as runs:
        runs.write(os.path.abspath(sys.argv[0]) + "\n")
