# SPDX-License-Identifier: MIT
"""Polynomials over Fr on evaluation domains: ``Domain`` (snarkjs's roots of unity),
NTT / inverse NTT / coset NTT of ``FrVec`` vectors in the native core, and the Groth16
quotient ``qap_quotient`` exactly as snarkjs computes it."""

from zkcx.poly._domain import MAX_LOG_SIZE, QAP_SHIFT_AT_MAX_SIZE, Domain, root_of_unity
from zkcx.poly._quotient import qap_quotient
from zkcx.poly._transform import coset_intt, coset_ntt, intt, ntt

__all__ = [
    "MAX_LOG_SIZE",
    "QAP_SHIFT_AT_MAX_SIZE",
    "Domain",
    "coset_intt",
    "coset_ntt",
    "intt",
    "ntt",
    "qap_quotient",
    "root_of_unity",
]
