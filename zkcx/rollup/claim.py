# SPDX-License-Identifier: MIT
"""A claim: a node's statement that it ran a kernel, with the Groth16 proof.

Canonical encoding (``Claim.to_bytes``; integers big-endian, ``text`` = u16 length then
UTF-8):

    u8 version (2) | text node_id | text task_id | 32 bytes kernel_id
    | text kind | u32 n | n × 32-byte public inputs (each < r)
    | proof: A (64, EVM G1) | B (128, EVM G2: x.c1 x.c0 y.c1 y.c0) | C (64, EVM G1)
    | u8 has_model | [text model_id | u64 model_version]
    | u64 nonce | 65-byte signature r || s || v (65 zero bytes: unsigned)

The node id is an account address in its EIP-55 spelling; the node signs the claim with
that account's key over the EIP-712 digest (``Claim.digest``) of ``CLAIM_TYPE`` =
``Claim(address node,string task,bytes32 kernel,string kind,uint256[] publicInputs,bytes
proof,bool hasModel,string modelId,uint64 modelVersion,uint64 nonce)`` in the chain's
domain (``zkcx.rollup.signing``): proof = its 256 bytes above; without a model, modelId
"" and modelVersion 0. The nonce is the node's transaction count (see
``zkcx.rollup.builder``), so a signed claim counts at most once, on one chain. An
unsigned claim encodes (a draft can be passed around and signed later), but a block
builder rejects it as unsigned; a signature that is not low-s or not well formed makes
the bytes malformed.

Claim hash = SHA-256("zkcx-claim-v1" || 0x00 || encoding): the claim's identity in
blocks (claims root, accountant); it covers the nonce and the signature. Statement
hash = SHA-256("zkcx-statement-v1" || 0x00 || kernel_id || u32 n || public inputs): what
the claim proves. Groth16 proofs are
malleable — anyone can turn a valid proof into another valid proof of the same statement
(A/t, t·B, C) — so duplicates and replays are detected by statement hash: a statement is
paid for once per chain, whatever proof or node id comes with it. Statement commitment
(``Claim.statement``, ``ClaimStatement.commitment``) = SHA-256("zkcx-claim-statement-v1"
|| 0x00 || text node_id | text task_id | 32 kernel_id | text kind | u32 n | n × 32 public
inputs | u8 has_model | [text model_id | u64 model_version]): everything the claim states
and nothing of its proof, nonce or signature; a block header's statements root commits
its accepted claims' statement commitments, so that a light client checks the statements
(and the aggregates proving them) without the proofs. Kernels that bind a
proof to its node and task take ``claim_binding(node_id, task_id)`` as a public input
(see ``KernelRegistry.register(binding_position=...)``). Decoding accepts exactly the
encodings this writes (no trailing bytes, coordinates < p, points on their curves, B in
the order-r subgroup, public inputs < r) and raises ``MalformedClaimError`` with the
reason otherwise. The work a claim is paid for comes from its kernel, never from here.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from zkcx.accounts import Address, Domain, Signature, Signer, StructType, keccak256
from zkcx.curve import G1, G2
from zkcx.curve.encoding import g1_from_evm, g1_to_evm, g2_from_evm, g2_to_evm
from zkcx.errors import EncodingError, FileFormatError, PointError, SignatureError
from zkcx.groth16 import Proof
from zkcx.groth16.json_files import proof_from_json, proof_json, public_from_json
from zkcx.io.jsontext import check_text, short
from zkcx.params import FR_MODULUS
from zkcx.rewards.params import ClaimKind
from zkcx.rollup._codec import Reader, Writer, tagged_hash
from zkcx.rollup.errors import MalformedClaimError
from zkcx.rollup.signing import account_address, recovered_signer

CLAIM_FORMAT_VERSION = 2
_JSON_FORMAT = "zkcx-claim-v2"
#: The EIP-712 struct a node signs (module docstring).
CLAIM_TYPE = StructType("Claim", (
    ("node", "address"), ("task", "string"), ("kernel", "bytes32"), ("kind", "string"),
    ("publicInputs", "uint256[]"), ("proof", "bytes"), ("hasModel", "bool"),
    ("modelId", "string"), ("modelVersion", "uint64"), ("nonce", "uint64")))
_NO_SIGNATURE = bytes(65)
_CLAIM_TYPE_HASH = CLAIM_TYPE.type_hash
_KIND_HASHES = {kind: keccak256(kind.value.encode()) for kind in ClaimKind}
_EMPTY_HASH, _ONE = keccak256(b""), (1).to_bytes(32, "big")
_TAG = b"zkcx-claim-v1"
_STATEMENT_TAG = b"zkcx-statement-v1"
_BINDING_TAG = b"zkcx-claim-binding-v1"
_CLAIM_STATEMENT_TAG = b"zkcx-claim-statement-v1"
#: Most public inputs a claim may carry (a kernel's commitments and a few scalars).
MAX_PUBLIC_INPUTS = 4096
#: larger than any valid claim's encoding (4096 public inputs take 128 KiB); longer bytes
#: are rejected without being stored (a block keeps an empty record in their place)
MAX_CLAIM_BYTES = 1 << 18
_MAX_TEXT = 255


def _check_text(name: str, value: object, optional: bool = False) -> None:
    if optional and value is None:
        return
    check_text(value, name, _MAX_TEXT, MalformedClaimError)


def _check_kernel_id(kernel_id: object) -> None:
    ok = isinstance(kernel_id, str) and len(kernel_id) == 64
    if ok:
        try:
            ok = bytes.fromhex(kernel_id).hex() == kernel_id
        except ValueError:
            ok = False
    if not ok:
        raise MalformedClaimError(
            f"kernel_id must be a verifying-key digest (64 lowercase hex digits), "
            f"got {short(kernel_id)}")


def claim_binding(node_id: str, task_id: str) -> int:
    """The public input that binds a proof to its node and task:
    int(SHA-256("zkcx-claim-binding-v1" || 0x00 || text node_id || text task_id)) mod r."""
    data = Writer().text(node_id).text(task_id).getvalue()
    return int.from_bytes(tagged_hash(_BINDING_TAG, data), "big") % FR_MODULUS


def encode_proof(proof: Proof) -> bytes:
    """256 bytes: A, B, C in EVM encoding."""
    return g1_to_evm(proof.a) + g2_to_evm(proof.b) + g1_to_evm(proof.c)


def decode_proof(data: bytes) -> Proof:
    """Inverse of :func:`encode_proof`, validating every point."""
    if len(data) != 256:
        raise MalformedClaimError(f"a proof is 256 bytes, got {len(data)}")
    try:
        return Proof(g1_from_evm(data[:64]), g2_from_evm(data[64:192]),
                     g1_from_evm(data[192:]))
    except (PointError, EncodingError) as exc:
        raise MalformedClaimError(f"proof point: {exc}") from exc


def _decode_signature(data: bytes) -> Signature | None:
    if data == _NO_SIGNATURE:
        return None
    try:
        return Signature.from_bytes(data)
    except SignatureError as exc:
        raise MalformedClaimError(f"signature: {exc}") from None


def _check_statement(obj) -> None:
    """Validate (and normalize kind and public inputs of) the statement fields shared by
    ``Claim`` and ``ClaimStatement``; ``MalformedClaimError`` says what is wrong."""
    account_address(obj.node_id, MalformedClaimError, "node_id")
    _check_text("task_id", obj.task_id)
    _check_kernel_id(obj.kernel_id)
    try:
        object.__setattr__(obj, "kind", ClaimKind(obj.kind))
    except ValueError as exc:
        raise MalformedClaimError(f"unknown claim kind {short(obj.kind)}") from exc
    public = tuple(obj.public_inputs)
    if len(public) > MAX_PUBLIC_INPUTS:
        raise MalformedClaimError(f"{len(public)} public inputs, at most "
                                  f"{MAX_PUBLIC_INPUTS}")
    for i, v in enumerate(public):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < FR_MODULUS:
            raise MalformedClaimError(f"public input {i} is not an int in [0, r): "
                                      f"{short(v)}")
    object.__setattr__(obj, "public_inputs", public)
    _check_text("model_id", obj.model_id, optional=True)
    if (obj.model_id is None) != (obj.model_version is None):
        raise MalformedClaimError("model_id and model_version go together")
    mv = obj.model_version
    if mv is not None and (not isinstance(mv, int) or isinstance(mv, bool)
                           or not 0 <= mv < 1 << 64):
        raise MalformedClaimError(f"model_version must be an int in [0, 2^64), got "
                                  f"{short(mv)}")


@dataclass(frozen=True)
class ClaimStatement:
    """What a claim states, without its proof, nonce or signature: node id, task id,
    kernel id, claim kind, public inputs, model id and version (``Claim.statement``);
    validated like a claim's fields. A block's light view carries these, and its header's
    statements root commits their ``commitment`` (module docstring)."""

    node_id: str
    task_id: str
    kernel_id: str
    kind: ClaimKind
    public_inputs: tuple[int, ...]
    model_id: str | None = None
    model_version: int | None = None

    def __post_init__(self) -> None:
        _check_statement(self)

    @functools.cached_property
    def commitment(self) -> bytes:
        """SHA-256("zkcx-claim-statement-v1" || 0x00 || the fields) (module docstring)."""
        w = Writer().text(self.node_id).text(self.task_id)
        w.fixed(bytes.fromhex(self.kernel_id), 32).text(self.kind.value)
        n = len(self.public_inputs)
        w.uint(n, 4).fixed(b"".join([v.to_bytes(32, "big") for v in self.public_inputs]),
                           32 * n)
        if self.model_id is None:
            w.uint(0, 1)
        else:
            w.uint(1, 1).text(self.model_id).uint(self.model_version, 8)
        return tagged_hash(_CLAIM_STATEMENT_TAG, w.getvalue())

    def to_json(self) -> dict:
        """The fields, public inputs as decimal strings, model id and version or nulls."""
        return {"node_id": self.node_id, "task_id": self.task_id,
                "kernel_id": self.kernel_id, "kind": self.kind.value,
                "public_inputs": [str(v) for v in self.public_inputs],
                "model_id": self.model_id, "model_version": self.model_version}

    @classmethod
    def from_json(cls, obj: object) -> ClaimStatement:
        """Inverse of :meth:`to_json`; ``MalformedClaimError`` says what is wrong."""
        fields = ("node_id", "task_id", "kernel_id", "kind", "public_inputs")
        if not isinstance(obj, dict) or any(f not in obj for f in fields):
            raise MalformedClaimError(f"a claim statement is a JSON object with {fields}, "
                                      f"model_id and model_version, got {short(obj)}")
        public = obj["public_inputs"]
        if not isinstance(public, list):
            raise MalformedClaimError(f"public_inputs must be a list of decimal strings, "
                                      f"got {short(public)}")
        try:
            values = public_from_json(public)
        except (EncodingError, FileFormatError) as exc:
            raise MalformedClaimError(str(exc)) from exc
        return cls(obj["node_id"], obj["task_id"], obj["kernel_id"], obj["kind"],
                   tuple(values), obj.get("model_id"), obj.get("model_version"))


@dataclass(frozen=True)
class Claim:
    """node id (an account address, EIP-55 text), task id, kernel id
    (``VerifyingKey.digest()``), public inputs (ints in [0, r)), Groth16 proof, claim kind,
    for model work the model id and the version the claim starts from, the node's nonce
    and its signature (None: unsigned; see :meth:`signed`). Fields are validated at
    construction."""

    node_id: str
    task_id: str
    kernel_id: str
    public_inputs: tuple[int, ...]
    proof: Proof
    kind: ClaimKind
    model_id: str | None = None
    model_version: int | None = None
    nonce: int = 0
    signature: Signature | None = None

    def __post_init__(self) -> None:
        _check_statement(self)
        p = self.proof
        if not (isinstance(p, Proof) and isinstance(p.a, G1) and isinstance(p.b, G2)
                and isinstance(p.c, G1)):
            raise MalformedClaimError("proof must be a groth16.Proof of (G1, G2, G1) points")
        n = self.nonce
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < 1 << 64:
            raise MalformedClaimError(f"nonce must be an int in [0, 2^64), got {short(n)}")
        if self.signature is not None and not isinstance(self.signature, Signature):
            raise MalformedClaimError(f"signature must be an accounts.Signature or None, got "
                                      f"{type(self.signature).__name__}")

    # -- signing ----------------------------------------------------------------------
    def typed_data(self) -> dict[str, object]:
        """The ``CLAIM_TYPE`` message the node signs (module docstring)."""
        return {
            "node": Address.from_hex(self.node_id), "task": self.task_id,
            "kernel": bytes.fromhex(self.kernel_id), "kind": self.kind.value,
            "publicInputs": self.public_inputs, "proof": self._proof_bytes,
            "hasModel": self.model_id is not None, "modelId": self.model_id or "",
            "modelVersion": self.model_version or 0, "nonce": self.nonce}

    def digest(self, domain: Domain) -> bytes:
        """The 32 bytes the node signs: EIP-712 ``CLAIM_TYPE`` in ``domain``, i.e.
        ``domain.digest(CLAIM_TYPE, self.typed_data())``, encoded here field by field
        (the generic encoder costs ~10x more, and every claim of a block is hashed)."""
        zero = bytes(32)
        struct = keccak256(b"".join((
            _CLAIM_TYPE_HASH,
            bytes(12) + bytes.fromhex(self.node_id[2:]),
            keccak256(self.task_id.encode()),
            bytes.fromhex(self.kernel_id),
            _KIND_HASHES[self.kind],
            keccak256(self._public_bytes),
            keccak256(self._proof_bytes),
            zero if self.model_id is None else _ONE,
            _EMPTY_HASH if self.model_id is None else keccak256(self.model_id.encode()),
            (self.model_version or 0).to_bytes(32, "big"),
            self.nonce.to_bytes(32, "big"))))
        return keccak256(b"\x19\x01" + domain.separator + struct)

    def signed(self, signer: Signer, domain: Domain, nonce: int | None = None) -> Claim:
        """A copy with ``nonce`` (default: this claim's) signed by ``signer``, whose
        address must be the node id."""
        if str(signer.address) != self.node_id:
            raise SignatureError(f"claim of node {self.node_id} signed by another account "
                                 f"({signer.address})")
        draft = dataclasses.replace(self, nonce=self.nonce if nonce is None else nonce,
                                    signature=None)
        return dataclasses.replace(draft, signature=signer.sign(draft.digest(domain)))

    def signer(self, domain: Domain) -> Address:
        """The address whose key signed this claim in ``domain`` (cached per domain);
        SignatureError when it is unsigned or its signature recovers no key."""
        return recovered_signer(self, domain, "claim")

    # -- encoding -------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The canonical encoding (module docstring); computed once per claim."""
        return self._encoding

    def _encode(self) -> bytes:
        w = Writer().uint(CLAIM_FORMAT_VERSION, 1).text(self.node_id).text(self.task_id)
        w.fixed(bytes.fromhex(self.kernel_id), 32).text(self.kind.value)
        w.uint(len(self.public_inputs), 4)
        w.fixed(self._public_bytes, 32 * len(self.public_inputs))
        w.fixed(self._proof_bytes, 256)
        if self.model_id is None:
            w.uint(0, 1)
        else:
            w.uint(1, 1).text(self.model_id).uint(self.model_version, 8)
        w.uint(self.nonce, 8)
        w.fixed(_NO_SIGNATURE if self.signature is None else bytes(self.signature), 65)
        return w.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Claim:
        """Decode and validate; raises ``MalformedClaimError`` saying what is wrong."""
        try:
            r = Reader(data, "claim")
            version = r.uint(1, "version")
            if version != CLAIM_FORMAT_VERSION:
                raise MalformedClaimError(f"claim format version {version}, expected "
                                          f"{CLAIM_FORMAT_VERSION}")
            node_id, task_id = r.text("node_id"), r.text("task_id")
            kernel_id = r.take(32, "kernel_id").hex()
            kind = r.text("kind")
            n = r.uint(4, "public input count")
            if n > MAX_PUBLIC_INPUTS:
                raise MalformedClaimError(f"{n} public inputs, at most {MAX_PUBLIC_INPUTS}")
            raw = r.take(32 * n, "public inputs")
            public = tuple(int.from_bytes(raw[32 * i:32 * i + 32], "big") for i in range(n))
            proof_bytes = r.take(256, "proof")
            proof = decode_proof(proof_bytes)
            has_model = r.uint(1, "model flag")
            if has_model not in (0, 1):
                raise MalformedClaimError(f"model flag is {has_model}, expected 0 or 1")
            model_id = model_version = None
            if has_model:
                model_id, model_version = r.text("model_id"), r.uint(8, "model_version")
            nonce = r.uint(8, "nonce")
            signature = _decode_signature(r.take(65, "signature"))
            r.finish()
        except MalformedClaimError:
            raise
        except EncodingError as exc:
            raise MalformedClaimError(str(exc)) from exc
        claim = cls(node_id, task_id, kernel_id, public, proof, kind, model_id, model_version,
                    nonce, signature)
        claim.__dict__["_encoding"] = bytes(data)
        claim.__dict__["_proof_bytes"] = proof_bytes
        claim.__dict__["_public_bytes"] = raw
        return claim

    # -- JSON --------------------------------------------------------------------------
    def to_json(self) -> dict:
        """A JSON-able dict: ids and kind as strings, public inputs as decimal strings,
        the proof as snarkjs's proof.json object, model id and version or nulls, the
        nonce, and the signature as 0x hex (null: unsigned)."""
        return {
            "format": _JSON_FORMAT,
            "node_id": self.node_id,
            "task_id": self.task_id,
            "kernel_id": self.kernel_id,
            "kind": self.kind.value,
            "public": [str(v) for v in self.public_inputs],
            "proof": proof_json(self.proof),
            "model_id": self.model_id,
            "model_version": self.model_version,
            "nonce": self.nonce,
            "signature": None if self.signature is None else self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: dict) -> Claim:
        """Inverse of :meth:`to_json`, from a parsed JSON object (``zkcx.io.jsontext.loads``
        decodes claim text with depth and size bounds). Data only: ``proof`` must be a
        proof.json object and ``public`` a list, never a file name or descriptor.
        ``MalformedClaimError`` says what is wrong; nothing else is raised."""
        if not isinstance(obj, dict) or obj.get("format") != _JSON_FORMAT:
            raise MalformedClaimError(f"not a {_JSON_FORMAT} JSON object")
        missing = {"node_id", "task_id", "kernel_id", "kind", "public", "proof"} - set(obj)
        if missing:
            raise MalformedClaimError(f"JSON claim lacks {sorted(missing)}")
        if not isinstance(obj["proof"], dict):
            raise MalformedClaimError(f"proof must be a proof.json object, got "
                                      f"{short(obj['proof'])}")
        if not isinstance(obj["public"], list):
            raise MalformedClaimError(f"public must be a list of decimal strings, got "
                                      f"{short(obj['public'])}")
        try:
            public = public_from_json(obj["public"])
            proof = proof_from_json(obj["proof"])
        except (EncodingError, PointError, FileFormatError) as exc:
            raise MalformedClaimError(str(exc)) from exc
        sig = obj.get("signature")
        if sig is not None:
            if not isinstance(sig, str) or not sig.startswith("0x"):
                raise MalformedClaimError("signature must be 0x-prefixed hex or null")
            try:
                raw = bytes.fromhex(sig[2:])
            except ValueError:
                raise MalformedClaimError("signature must be 0x-prefixed hex or null") \
                    from None
            sig = _decode_signature(raw)
        return cls(obj["node_id"], obj["task_id"], obj["kernel_id"], tuple(public), proof,
                   obj["kind"], obj.get("model_id"), obj.get("model_version"),
                   obj.get("nonce", 0), sig)

    @functools.cached_property
    def _encoding(self) -> bytes:
        return self._encode()

    @functools.cached_property
    def _public_bytes(self) -> bytes:
        return b"".join([v.to_bytes(32, "big") for v in self.public_inputs])

    @functools.cached_property
    def _proof_bytes(self) -> bytes:
        return encode_proof(self.proof)

    @functools.cached_property
    def claim_hash(self) -> bytes:
        """SHA-256("zkcx-claim-v1" || 0x00 || to_bytes()), 32 bytes."""
        return tagged_hash(_TAG, self._encoding)

    @functools.cached_property
    def statement_hash(self) -> bytes:
        """SHA-256("zkcx-statement-v1" || 0x00 || kernel id || u32 n || public inputs):
        the key of duplicate and replay checks (module docstring)."""
        return tagged_hash(_STATEMENT_TAG, bytes.fromhex(self.kernel_id),
                           len(self.public_inputs).to_bytes(4, "big"),
                           *(v.to_bytes(32, "big") for v in self.public_inputs))

    @functools.cached_property
    def statement(self) -> ClaimStatement:
        """What this claim states, without proof, nonce or signature (``ClaimStatement``;
        its ``commitment`` is the leaf of the header's statements root)."""
        statement = object.__new__(ClaimStatement)  # the fields are this claim's, checked
        for field in dataclasses.fields(ClaimStatement):
            object.__setattr__(statement, field.name, getattr(self, field.name))
        return statement
