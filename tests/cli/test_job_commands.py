# SPDX-License-Identifier: MIT
"""Sharded training jobs through the command line: ``job post`` (shards as commitments,
or as .npy files committed here with the gradient kernel's spec), ``job show`` and
``job cancel``, and their refusals (exit 2 with a message, nothing written)."""

from __future__ import annotations

import argparse
import hashlib
import pathlib

import numpy as np
import pytest

from tests.cli.conftest import run_main
from tests.cli.test_model_commands import OWNER, PASSWORD, keys, ok, refused
from tests.cli.test_model_commands import work as model_work  # noqa: F401  (fixture)
from zkcx import kernels as K
from zkcx.cli.errors import UsageError
from zkcx.cli.job_commands import shard_commitments

GRAD = pathlib.Path(__file__).resolve().parents[2] / "circuits" / "mlp_4_4_1_grad.toml"


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(**{"shard": [], "shard_file": [], "kernel": None,
                                 "data_tensor": "data", **kw})


def test_shard_files_are_committed_with_the_gradient_kernels_spec(tmp_path):
    spec = K.load(GRAD).spec
    rng = np.random.default_rng(3)
    paths, arrays = [], []
    for k in range(3):
        arrays.append(rng.uniform(-1, 1, size=(4, 5)))
        paths.append(str(tmp_path / f"shard{k}.npy"))
        np.save(paths[-1], arrays[-1])
    commitments, digest = shard_commitments(_args(shard_file=paths, kernel=str(GRAD)))
    assert commitments == tuple(K.commit(a, spec, "data") for a in arrays)
    assert digest == hashlib.sha256(b"".join(pathlib.Path(p).read_bytes()
                                             for p in paths)).digest()
    given, digest = shard_commitments(_args(shard=[5, 7]))
    assert given == (5, 7)
    assert digest == hashlib.sha256((5).to_bytes(32, "big") + (7).to_bytes(32, "big")).digest()
    np.save(tmp_path / "wrong.npy", np.zeros((3, 3)))
    for kw, word in ((dict(shard_file=[str(tmp_path / "wrong.npy")], kernel=str(GRAD)),
                      "'data' tensor"),
                     (dict(shard_file=paths), "--kernel"), ({}, "not neither"),
                     (dict(shard=[1], shard_file=paths, kernel=str(GRAD)), "not both")):
        with pytest.raises(UsageError, match=word):
            shard_commitments(_args(**kw))


def post(*extra) -> list[str]:
    return ["job", "post", "mlp", "--gradient-kernel", "ab" * 32, "--aggregate-kernel",
            "cd" * 32, "--shard", "1", "--shard", "2", "--steps", "3", "--gradient-fee", "1",
            "--aggregate-fee", "1", "--chain", "chain.db", *keys(OWNER), "-o", "job.json",
            *extra]


def test_bad_job_commands_exit_2_with_a_message_writing_nothing(model_work):  # noqa: F811
    import json

    ids = json.loads((model_work / "ids.json").read_text())
    refused(*post(), word="no model 'mlp'")
    ok("model", "register", "mlp", "--price", "1", "--serve", f"{ids['infer']}:1",
       "--commitment", "5", "--chain", "chain.db", *keys(OWNER), "-o", "reg.json")
    ok("block", "build", "--tx", "reg.json", "--chain", "chain.db")
    refused(*post(), word="not a kernel of")
    refused(*post()[:3], "--gradient-kernel", ids["infer"], *post()[5:],
            word="not a training kernel")
    refused(*post("--shard", "x"), word="commitment")
    refused(*post("--steps", "0"), word="positive")
    refused("job", "show", "0", "--chain", "chain.db", word="no job 0")
    refused("job", "cancel", "0", "--chain", "chain.db", *keys(OWNER), "-o", "c.json",
            word="no job 0")
    assert not (model_work / "job.json").exists() and not (model_work / "c.json").exists()
    assert run_main("job", "post", "--help").code == 0
    assert PASSWORD
