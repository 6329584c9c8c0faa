# SPDX-License-Identifier: MIT
"""The Solidity verifier and the calldata export, run in a real EVM.

The contracts are compiled once per module by solc (the npm ``solc`` package, pinned in
tests/conftest.py) and deployed in py-evm through eth-tester. Our contract and the one
snarkjs generated for the vectors are called with calldata from both tools; gas is
printed (``pytest -s``) and bounded. Without node or npm the EVM tests are skipped,
saying so; the calldata text tests need neither."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from tests.conftest import npm_installed
from tests.groth16.conftest import demo_circuit
from tests.vectors import SNARKJS_VECTORS, VECTORS
from zkcx.curve import G1
from zkcx.errors import EncodingError
from zkcx.groth16 import (
    VerifyingKey,
    export_calldata,
    export_solidity,
    prove,
    read_proof,
    read_public,
    read_verifying_key,
    read_zkey,
    setup,
)
from zkcx.groth16.solidity import SolidityExportError
from zkcx.params import FQ_MODULUS, FR_MODULUS
from zkcx.r1cs import read_r1cs, read_wtns

#: vectors whose snarkjs Verifier.sol is compiled beside ours
SNARKJS_CONTRACTS = ["multiplier", "matmul4"]
NEGATIVE_CASES = [
    ("proof_pi_a_doubled.json", "public.json"),
    ("proof.json", "public_wrong.json"),
    ("proof_pi_a_pi_c_swapped.json", "public.json"),
    ("proof_pi_b_fq2_swapped.json", "public.json"),
    ("proof.json", "public_noncanonical.json"),
]
#: execution gas of one verifyProof call (the transaction adds 21,000 and calldata)
GAS_BOUND = 400_000

_SOLC_JS = (
    "const solc = require(process.argv[1]); let input = '';"
    "process.stdin.on('data', chunk => { input += chunk; });"
    "process.stdin.on('end', () => process.stdout.write(solc.compile(input)));"
)


def _words_of_calldata(text: str) -> list[int]:
    """The arguments of verifyProof from soliditycalldata text, flattened in ABI order."""
    a, b, c, public = json.loads("[" + text + "]")
    return [int(v, 16) for v in (*a, *b[0], *b[1], *c, *public)]


def _words_of_json(proof: dict, public: list) -> list[int]:
    """The same from proof.json/public.json objects, read as-is (no validation): G2
    coordinates swapped to the EVM order, as snarkjs's calldata export does."""
    a, b, c = proof["pi_a"], proof["pi_b"], proof["pi_c"]
    return [int(v) for v in (a[0], a[1], b[0][1], b[0][0], b[1][1], b[1][0], c[0], c[1],
                             *public)]


# -- calldata text (no EVM needed) ---------------------------------------------------------
def test_calldata_is_byte_for_byte_snarkjs_soliditycalldata(vector):
    proof = read_proof(vector / "proof.json")
    public = read_public(vector / "public.json")
    assert export_calldata(proof, public) + "\n" == (vector / "calldata.txt").read_text()


def test_calldata_refuses_public_signals_outside_the_field(vector):
    proof = read_proof(vector / "proof.json")
    for bad in ([FR_MODULUS], [-1], [2**256]):
        with pytest.raises(EncodingError, match="outside"):
            export_calldata(proof, bad)
    with pytest.raises(EncodingError, match="not an integer"):
        export_calldata(proof, ["33"])
    with pytest.raises(TypeError):
        export_calldata({"pi_a": []}, [1])


def test_export_solidity_refuses_keys_without_public_signals_and_bad_names(vector):
    vk = read_verifying_key(vector / "verification_key.json")
    no_public = VerifyingKey(vk.alpha_1, vk.beta_2, vk.gamma_2, vk.delta_2, vk.ic[:1])
    with pytest.raises(SolidityExportError, match="no public signals"):
        export_solidity(no_public)
    with pytest.raises(SolidityExportError, match="not an identifier"):
        export_solidity(vk, contract_name="my verifier")
    with pytest.raises(TypeError):
        export_solidity("verification_key.json")


def test_export_solidity_bakes_the_key_in_evm_order(vector):
    vk = read_verifying_key(vector / "verification_key.json")
    source = export_solidity(vk)
    (x0, x1), (y0, y1) = vk.beta_2.to_affine()
    for name, value in [("BETA_X_IM", x1), ("BETA_X_RE", x0), ("BETA_Y_IM", y1),
                        ("BETA_Y_RE", y0), ("ALPHA_X", vk.alpha_1.to_affine()[0]),
                        (f"IC{vk.n_public}_Y", vk.ic[-1].to_affine()[1])]:
        assert f"uint256 internal constant {name} = {value};" in source
    assert f"uint256[{vk.n_public}] calldata _pubSignals" in source
    assert "SPDX-License-Identifier: MIT" in source and vk.digest() in source


# -- the EVM -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    reverted: bool
    accepted: bool
    gas: int  # execution gas of the call (no transaction base, no calldata cost)


class _Evm:
    """py-evm (eth-tester's chain) with contracts deployed from solc's output."""

    def __init__(self, compiled: dict):
        from eth_tester import EthereumTester, PyEVMBackend

        self.tester = EthereumTester(PyEVMBackend())
        self.sender = self.tester.get_accounts()[0]
        self.contracts = {}
        for source, contract in compiled.items():
            tx = self.tester.send_transaction({"from": self.sender, "gas": 5_000_000,
                                               "data": "0x" + contract["bytecode"]})
            receipt = self.tester.get_transaction_receipt(tx)
            assert receipt["status"] == 1, source
            self.contracts[source] = (receipt["contract_address"],
                                      contract["selectors"])

    def verify(self, source: str, words: list[int]) -> Outcome:
        """Call verifyProof(words) and keep the output and the gas of one execution."""
        from eth.vm.spoof import SpoofTransaction
        from eth_utils import to_canonical_address

        address, selectors = self.contracts[source]
        (selector,) = selectors.values()
        data = bytes.fromhex(selector) + b"".join(w.to_bytes(32, "big") for w in words)
        sender = to_canonical_address(self.sender)
        vm = self.tester.backend.chain.get_vm()
        state = vm.state
        tx = vm.create_unsigned_transaction(nonce=state.get_nonce(sender), gas_price=10**10,
                                            gas=3_000_000, to=to_canonical_address(address),
                                            value=0, data=data)
        snapshot = state.snapshot()
        try:
            computation = state.apply_transaction(SpoofTransaction(tx, from_=sender))
        finally:
            state.revert(snapshot)
        output = bytes(computation.output)
        if computation.is_error:
            return Outcome(True, False, computation.get_gas_used())
        assert output in (bytes(32), (1).to_bytes(32, "big")), output.hex()
        return Outcome(False, output[-1] == 1, computation.get_gas_used())


def _compile(solc_module, sources: dict[str, str]) -> dict:
    request = {
        "language": "Solidity",
        "sources": {name: {"content": text} for name, text in sources.items()},
        "settings": {"optimizer": {"enabled": True, "runs": 200},
                     "outputSelection": {"*": {"*": ["evm.bytecode.object",
                                                     "evm.methodIdentifiers"]}}},
    }
    done = subprocess.run(["node", "-e", _SOLC_JS, str(solc_module)], input=json.dumps(request),
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout)
    problems = [e["formattedMessage"] for e in result.get("errors", [])
                if e["severity"] == "error"
                or e.get("sourceLocation", {}).get("file", "").startswith("zkcx/")]
    assert not problems, "\n".join(problems)
    out = {}
    for name, contracts in result["contracts"].items():
        (contract,) = contracts.values()
        out[name] = {"bytecode": contract["evm"]["bytecode"]["object"],
                     "selectors": contract["evm"]["methodIdentifiers"]}
    return out


@pytest.fixture(scope="module")
def demo():
    r1cs, variables = demo_circuit("solidity_demo")
    return r1cs, variables, setup(r1cs)


@pytest.fixture(scope="module")
def evm(demo):
    """Every contract compiled in one solc run and deployed: ``zkcx/<vector>.sol`` and
    ``zkcx/demo.sol`` (ours), ``snarkjs/<vector>.sol`` (snarkjs's Verifier.sol)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the EVM tests compile the contract with solc (npm)")
    solc_module = npm_installed("solc")
    if solc_module is None:
        pytest.skip("npm is not installed, so the solc package cannot be installed")
    sources = {"zkcx/demo.sol": export_solidity(demo[2].verifying_key)}
    for name in SNARKJS_VECTORS:
        vk = read_verifying_key(VECTORS / name / "verification_key.json")
        sources[f"zkcx/{name}.sol"] = export_solidity(vk)
    for name in SNARKJS_CONTRACTS:
        sources[f"snarkjs/{name}.sol"] = (VECTORS / name / "Verifier.sol").read_text()
    return _Evm(_compile(solc_module, sources))


def _report(label: str, outcome: Outcome) -> None:
    print(f"\n[gas] {label}: verifyProof executed in {outcome.gas} gas")


def test_contract_has_the_snarkjs_interface(evm):
    for name in SNARKJS_CONTRACTS:
        ours = evm.contracts[f"zkcx/{name}.sol"][1]
        theirs = evm.contracts[f"snarkjs/{name}.sol"][1]
        assert ours == theirs and len(ours) == 1, (ours, theirs)


@pytest.mark.parametrize("name", SNARKJS_VECTORS)
def test_contract_accepts_snarkjs_calldata_within_the_gas_bound(evm, name):
    words = _words_of_calldata((VECTORS / name / "calldata.txt").read_text())
    outcome = evm.verify(f"zkcx/{name}.sol", words)
    _report(f"zkcx contract, {name} ({len(words) - 8} public)", outcome)
    assert outcome == Outcome(False, True, outcome.gas)
    assert outcome.gas < GAS_BOUND


#: the default run checks one vector's negative cases; the others are marked slow (each
#: call runs py-evm's pure-Python pairing, about 2 s)
_ONE_IN_DEFAULT_RUN = [pytest.param(n, marks=pytest.mark.slow) if n != "matmul4" else n
                       for n in SNARKJS_VECTORS]


@pytest.mark.parametrize("name", _ONE_IN_DEFAULT_RUN)
@pytest.mark.parametrize(("proof_file", "public_file"), NEGATIVE_CASES)
def test_contract_rejects_every_negative_vector(evm, name, proof_file, public_file):
    folder = VECTORS / name
    proof = json.loads((folder / "negative" / proof_file).read_text()
                       if proof_file != "proof.json" else (folder / proof_file).read_text())
    public = json.loads((folder / "negative" / public_file).read_text()
                        if public_file != "public.json" else (folder / public_file).read_text())
    outcome = evm.verify(f"zkcx/{name}.sol", _words_of_json(proof, public))
    assert not outcome.reverted and not outcome.accepted


def _twist_point_outside_g2(curve_twist_point) -> list[int]:
    x0, x1, y0, y1 = curve_twist_point
    return [x1, x0, y1, y0]


def test_contract_rejects_tampered_calldata_without_reverting(evm, curve_twist_point):
    words = _words_of_calldata((VECTORS / "matmul4" / "calldata.txt").read_text())

    def tampered(changes: dict[int, int]) -> list[int]:
        """words (A.x, A.y, B.x.c1, B.x.c0, B.y.c1, B.y.c0, C.x, C.y, public...) changed"""
        return [changes.get(i, w) for i, w in enumerate(words)]

    a_x, a_y = words[0], words[1]
    cases = {
        "last public signal with its low bit flipped": tampered({23: words[23] ^ 1}),
        "a public signal equal to r": tampered({8: FR_MODULUS}),
        "a public signal + r (same value mod r)": tampered({8: words[8] + FR_MODULUS}),
        "a public signal 2^256 - 1": tampered({23: 2**256 - 1}),
        "B with Fq2 parts in JSON order": tampered({2: words[3], 3: words[2],
                                                     4: words[5], 5: words[4]}),
        "A.x + q (same point mod q)": tampered({0: a_x + FQ_MODULUS}),
        "C.y + q": tampered({7: words[7] + FQ_MODULUS}),
        "B.x.c1 + q": tampered({2: words[2] + FQ_MODULUS}),
        "A off the curve": tampered({1: (a_y + 1) % FQ_MODULUS}),
        "B on the twist but outside G2": words[:2] + _twist_point_outside_g2(
            curve_twist_point) + words[6:],
    }
    for label, case in cases.items():
        outcome = evm.verify("zkcx/matmul4.sol", case)
        assert not outcome.reverted and not outcome.accepted, label


@pytest.mark.parametrize("name", [n for n in _ONE_IN_DEFAULT_RUN
                                  if getattr(n, "values", (n,))[0] in SNARKJS_CONTRACTS])
def test_zkcx_proof_passes_both_contracts(evm, name):
    """A fresh zkcx proof from snarkjs's zkey and wtns: its calldata is accepted by
    snarkjs's Verifier.sol and by ours, at about the same gas."""
    folder = VECTORS / name
    pk = read_zkey(folder / "circuit_final.zkey")
    witness, r1cs = read_wtns(folder / "witness.wtns"), read_r1cs(folder / "circuit.r1cs")
    proof, public = prove(pk, witness, r1cs)
    words = _words_of_calldata(export_calldata(proof, public))
    ours = evm.verify(f"zkcx/{name}.sol", words)
    theirs = evm.verify(f"snarkjs/{name}.sol", words)
    _report(f"zkcx contract, zkcx proof, {name}", ours)
    _report(f"snarkjs contract, zkcx proof, {name}", theirs)
    assert ours.accepted and theirs.accepted and not ours.reverted
    assert ours.gas < GAS_BOUND


def test_zkcx_setup_and_proof_pass_the_exported_contract(evm, demo):
    r1cs, (x, y, k, out), pk = demo
    witness = r1cs.solve({x: 6, y: 7, k: 3, out: 6 * 7 * 3 + 6})
    proof, public = prove(pk, witness, r1cs)
    assert public == [132, 3]
    outcome = evm.verify("zkcx/demo.sol", _words_of_calldata(export_calldata(proof, public)))
    _report("zkcx contract, zkcx setup and proof (2 public)", outcome)
    assert outcome.accepted and outcome.gas < GAS_BOUND
    identity_a = export_calldata(type(proof)(G1.identity(), proof.b, proof.c), public)
    rejected = evm.verify("zkcx/demo.sol", _words_of_calldata(identity_a))
    assert not rejected.reverted and not rejected.accepted
