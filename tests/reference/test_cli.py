"""The command line of cosim/reference/smollm2_ref.py and its output files."""
import json
import os
import subprocess
import sys

import numpy as np

import smollm2_ref
from conftest import REPO

SCRIPT = os.path.join(REPO, "cosim", "reference", "smollm2_ref.py")


def test_cli_prompt_ids_file_to_json(tmp_path, model_path, france_ids):
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(",".join(map(str, france_ids)))
    out_json = tmp_path / "r.json"
    out = subprocess.run([sys.executable, SCRIPT, "--model", model_path, "--prompt-ids-file", str(ids_file),
                          "--n-new", "6", "--dtype", "fp64", "--out", str(out_json)],
                         check=True, capture_output=True, text=True).stdout
    assert "Paris" in out
    doc = json.loads(out_json.read_text())
    assert doc["dtype"] == "fp64" and doc["rope_pairing"] == "norm"
    assert doc["prompt_ids"] == france_ids
    assert doc["generated_ids"] == [504, 3575, 282, 4649, 314, 7042]
    assert doc["generated_text"] == "The capital of France is Paris"
    assert len(doc["logits"]) == 6 and len(doc["logits"][0]) == 49152
    assert [int(np.argmax(row)) for row in doc["logits"]] == doc["generated_ids"]


def test_npz_writer(tmp_path):
    logits = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = {"prompt_ids": [1, 2], "generated_ids": [2, 2], "dtype": "fp32"}
    smollm2_ref.write_out(str(tmp_path / "r.npz"), result, logits)
    z = np.load(tmp_path / "r.npz")
    assert list(z["prompt_ids"]) == [1, 2] and list(z["generated_ids"]) == [2, 2]
    assert z["logits"].dtype == np.float32 and np.array_equal(z["logits"], logits)
    assert json.loads(str(z["meta"]))["dtype"] == "fp32"


def test_parse_ids():
    assert smollm2_ref.parse_ids("1,2, 3\n4") == [1, 2, 3, 4]
    assert smollm2_ref.parse_ids("[5, 6]") == [5, 6]
