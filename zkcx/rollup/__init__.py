# SPDX-License-Identifier: MIT
"""The rollup: claims, blocks, their building and re-verification, the chain store
(docs/chain.md). The chain state is the compute market (``zkcx.market.Market``, its
models included): a claim is paid only when it answers a task assigned to its node, on
the task's kernel and inputs.

    kernels = KernelRegistry()     # public_bounds: kernel.public_bounds() for a kernel
    record = verified_ceremony(kernel.circuit(), ptau, pk, vk)  # its setup's transcript
    kid = kernels.register_kernel(kernel, vk, "compute", ceremony=record)  # task-ready
    store = SQLiteChainStore.create("chain.db", Market.genesis({requester: 100 * TOKEN}),
                                    chain_id=7)
    chain = Chain(store, kernels)
    chain.produce([], [signed RegisterNode(node, profile), signed PostTask(requester, kid,
                       ...)])                                  # block 0: task 0 assigned
    claim = Claim(node, "0", kid, public, proof, "compute")    # proved with claim_binding
    block = chain.produce([claim.signed(node_key, chain.domain, nonce=1)])
    report = verify_chain(SQLiteChainStore.open("chain.db"), kernels)
"""

from zkcx.rollup.block import (
    Block,
    BlockHeader,
    LightBlock,
    RejectedClaim,
    RejectedOperation,
    RejectReason,
    genesis_hash,
    raw_claim_hash,
    statements_root,
)
from zkcx.rollup.builder import BlockBuilder, BuiltBlock, batch_seed, batch_verifier
from zkcx.rollup.chain import Chain
from zkcx.rollup.claim import Claim, ClaimStatement, claim_binding, decode_proof, encode_proof
from zkcx.rollup.errors import (
    BlobTooLargeError,
    ChainStoreError,
    ChainVerificationError,
    KernelCeremonyError,
    KernelRegistryError,
    MalformedBlockError,
    MalformedClaimError,
    MalformedOperationError,
    PendingPoolFullError,
    UnknownBlockError,
    UnknownKernelError,
)
from zkcx.rollup.kernel_ceremony import UNSAFE_LOCAL_SETUP, verified_ceremony
from zkcx.rollup.kernel_registry import KernelEntry, KernelRegistry
from zkcx.rollup.postgres_store import PostgresChainStore
from zkcx.rollup.signing import DEFAULT_CHAIN_ID, account_address, chain_domain
from zkcx.rollup.store import (
    ChainStore,
    PendingItem,
    SQLiteChainStore,
    TxOutcome,
    create_store,
    open_store,
)
from zkcx.rollup.transactions import OPERATION_TYPES, SignedOperation
from zkcx.rollup.verify import ChainReport, LightReport, verify_chain, verify_chain_light

__all__ = [
    "DEFAULT_CHAIN_ID",
    "OPERATION_TYPES",
    "Block",
    "BlobTooLargeError",
    "BlockBuilder",
    "BlockHeader",
    "BuiltBlock",
    "Chain",
    "ChainReport",
    "LightBlock",
    "LightReport",
    "ChainStore",
    "ChainStoreError",
    "ChainVerificationError",
    "Claim",
    "ClaimStatement",
    "KernelCeremonyError",
    "KernelEntry",
    "KernelRegistry",
    "MalformedBlockError",
    "MalformedClaimError",
    "MalformedOperationError",
    "PendingItem",
    "PostgresChainStore",
    "PendingPoolFullError",
    "RejectReason",
    "RejectedClaim",
    "RejectedOperation",
    "SQLiteChainStore",
    "KernelRegistryError",
    "SignedOperation",
    "TxOutcome",
    "UNSAFE_LOCAL_SETUP",
    "UnknownBlockError",
    "UnknownKernelError",
    "account_address",
    "batch_seed",
    "batch_verifier",
    "chain_domain",
    "claim_binding",
    "create_store",
    "decode_proof",
    "encode_proof",
    "genesis_hash",
    "open_store",
    "raw_claim_hash",
    "statements_root",
    "verified_ceremony",
    "verify_chain",
    "verify_chain_light",
]
