# SPDX-License-Identifier: MIT
"""Where a node gets what it proves with: a kernel's spec (catalogue TOML) and proving key.

From a local folder (``--kernels DIR``: ``NAME.toml`` beside ``NAME.zkey``, indexed by
the digest of each key's verifying key, which is the kernel id) or from the operator
(GET /v1/kernels/{id}/spec and /v1/kernels/{id}/zkey), cached on disk
(``cache_dir/ID.toml``, ``cache_dir/ID.zkey``) once checked. Whatever the source, a key
whose verifying key's digest is not the kernel id is refused (``KernelKeyError``), and
so is a spec whose circuit does not have the key's numbers of public inputs and wires: an operator
(or a folder) cannot make a node prove with a key that is not the kernel's."""

from __future__ import annotations

import io
import os
import pathlib
from dataclasses import dataclass

from zkcx import groth16, kernels
from zkcx.errors import ZkcxError
from zkcx.node.errors import KernelKeyError
from zkcx.node.http import OperatorHTTP


@dataclass
class KernelFiles:
    """A kernel a node can prove: its id, spec text, kernel, proving key and the key's
    file (bytes or a path on this machine, as a cluster job takes it)."""

    kernel_id: str
    spec: str
    kernel: kernels.Kernel
    pk: groth16.ProvingKey
    zkey: str | bytes


def checked(kernel_id: str, spec: str, zkey: str | bytes) -> KernelFiles:
    """Load ``spec`` and ``zkey`` and check that they are kernel ``kernel_id``'s."""
    try:
        pk = groth16.read_zkey(zkey)
    except ZkcxError as exc:
        raise KernelKeyError(f"the proving key offered for kernel {kernel_id[:16]}… does "
                             f"not read: {exc}") from None
    digest = pk.verifying_key.digest()
    if digest != kernel_id:
        raise KernelKeyError(f"the proving key offered for kernel {kernel_id[:16]}… is "
                             f"kernel {digest[:16]}…'s (its verifying key's digest): "
                             "refused")
    try:
        kernel = kernels.load(io.BytesIO(spec.encode()))
    except ZkcxError as exc:
        raise KernelKeyError(f"the spec offered for kernel {kernel_id[:16]}… does not "
                             f"load: {exc}") from None
    r1cs = kernel.circuit()
    if (r1cs.n_public, r1cs.n_wires) != (pk.n_public, pk.n_wires):
        raise KernelKeyError(f"the spec offered for kernel {kernel_id[:16]}… is a circuit "
                             f"of {r1cs.n_public} public inputs and {r1cs.n_wires} wires, "
                             f"its key's {pk.n_public} and {pk.n_wires}: not this "
                             "kernel's circuit")
    return KernelFiles(kernel_id, spec, kernel, pk, zkey)


def index_folder(folder: str | os.PathLike) -> dict[str, tuple[pathlib.Path, pathlib.Path]]:
    """Kernel id -> (spec, zkey) of the ``NAME.toml`` + ``NAME.zkey`` pairs in ``folder``
    (keys that do not read are skipped: they name no kernel)."""
    out = {}
    for zkey in sorted(pathlib.Path(folder).glob("*.zkey")):
        spec = zkey.with_suffix(".toml")
        if not spec.is_file():
            continue
        try:
            kid = groth16.read_zkey(str(zkey)).verifying_key.digest()
        except ZkcxError:
            continue
        out[kid] = (spec, zkey)
    return out


class KernelSource:
    """Kernels by id: the local folder first, then the operator (cached in
    ``cache_dir`` when given); each loaded once per process."""

    def __init__(self, http: OperatorHTTP | None, folder: str | os.PathLike | None = None,
                 cache_dir: str | os.PathLike | None = None) -> None:
        self.http = http
        self.local = index_folder(folder) if folder is not None else {}
        self.cache_dir = pathlib.Path(cache_dir) if cache_dir is not None else None
        self._loaded: dict[str, KernelFiles] = {}

    def get(self, kernel_id: str) -> KernelFiles:
        """Kernel ``kernel_id``'s spec and key, checked."""
        if kernel_id in self._loaded:
            return self._loaded[kernel_id]
        if kernel_id in self.local:
            spec, zkey = self.local[kernel_id]
            files = checked(kernel_id, spec.read_text(), str(zkey))
        else:
            files = self._cached(kernel_id) or self._fetched(kernel_id)
        self._loaded[kernel_id] = files
        return files

    def _cached(self, kernel_id: str) -> KernelFiles | None:
        if self.cache_dir is None:
            return None
        spec, zkey = self.cache_dir / f"{kernel_id}.toml", self.cache_dir / f"{kernel_id}.zkey"
        if not (spec.is_file() and zkey.is_file()):
            return None
        try:
            return checked(kernel_id, spec.read_text(), str(zkey))
        except KernelKeyError:  # a damaged cache: fetch again
            return None

    def _fetched(self, kernel_id: str) -> KernelFiles:
        if self.http is None:
            raise KernelKeyError(f"kernel {kernel_id[:16]}… is not in the local kernels "
                                 "folder and there is no operator to fetch it from")
        spec = self.http.get_bytes(f"/v1/kernels/{kernel_id}/spec").decode("utf-8",
                                                                             "replace")
        zkey = self.http.get_bytes(f"/v1/kernels/{kernel_id}/zkey")
        files = checked(kernel_id, spec, zkey)
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            for suffix, data in ((".zkey", zkey), (".toml", spec.encode())):
                target = self.cache_dir / f"{kernel_id}{suffix}"
                tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
                tmp.write_bytes(data)
                os.replace(tmp, target)
        return files
