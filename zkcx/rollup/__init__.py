# SPDX-License-Identifier: MIT
"""The rollup: claims, blocks, their building and re-verification, the chain store and
the model registry (docs/chain.md).

    kernels = KernelRegistry()     # public_bounds: kernel.public_bounds() for a kernel
    kid = kernels.register(vk, r1cs.n_constraints, ["compute"],
                           public_bounds=PublicBounds.unbounded(vk.n_public))
    store = SQLiteChainStore.create("chain.db")          # genesis: fresh accountant
    chain = Chain(store, kernels)
    block = chain.produce([Claim(node, task, kid, public, proof, "compute")])
    report = verify_chain(SQLiteChainStore.open("chain.db"), kernels)
"""

from zkcx.rollup.block import (
    Block,
    BlockHeader,
    RejectedClaim,
    RejectReason,
    genesis_hash,
    raw_claim_hash,
)
from zkcx.rollup.builder import BlockBuilder, BuiltBlock, batch_seed
from zkcx.rollup.chain import Chain
from zkcx.rollup.claim import Claim, claim_binding, decode_proof, encode_proof
from zkcx.rollup.errors import (
    ChainStoreError,
    ChainVerificationError,
    KernelRegistryError,
    MalformedBlockError,
    MalformedClaimError,
    ModelRegistryError,
    UnknownKernelError,
)
from zkcx.rollup.kernel_registry import KernelEntry, KernelRegistry
from zkcx.rollup.merkle import merkle_root
from zkcx.rollup.models import ModelRegistry, ModelVersion
from zkcx.rollup.store import ChainStore, SQLiteChainStore
from zkcx.rollup.verify import ChainReport, verify_chain

__all__ = [
    "Block",
    "BlockBuilder",
    "BlockHeader",
    "BuiltBlock",
    "Chain",
    "ChainReport",
    "ChainStore",
    "ChainStoreError",
    "ChainVerificationError",
    "Claim",
    "KernelEntry",
    "KernelRegistry",
    "MalformedBlockError",
    "MalformedClaimError",
    "ModelRegistry",
    "ModelRegistryError",
    "ModelVersion",
    "RejectReason",
    "RejectedClaim",
    "SQLiteChainStore",
    "KernelRegistryError",
    "UnknownKernelError",
    "batch_seed",
    "claim_binding",
    "decode_proof",
    "encode_proof",
    "genesis_hash",
    "merkle_root",
    "raw_claim_hash",
    "verify_chain",
]
