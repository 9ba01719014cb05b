"""Checksums (raw bytes, for fetched files) and content hashes (for data versions)."""

from __future__ import annotations

import gzip
import hashlib
import lzma

from mapserver.core.digest import content_sha256, data_version, file_sha256

TEXT = (
    b"areaCode,areaName,areaType,date,newCasesBySpecimenDate\nE06000901,Alpha,ltla,2021-01-01,10\n"
)


def test_content_hash_is_the_same_plain_or_compressed(tmp_path):
    plain = tmp_path / "cases.csv"
    plain.write_bytes(TEXT)
    xz = tmp_path / "cases.csv.xz"
    xz.write_bytes(lzma.compress(TEXT, preset=1))
    gz = tmp_path / "cases.csv.gz"
    gz.write_bytes(gzip.compress(TEXT))
    expected = hashlib.sha256(TEXT).hexdigest()
    assert content_sha256(plain) == content_sha256(xz) == content_sha256(gz) == expected
    # a checksum is of the bytes as they are: what a manifest names for a download
    assert file_sha256(plain) == expected != file_sha256(xz)


def test_a_data_version_is_named_by_content(tmp_path):
    other = tmp_path / "population.csv"
    other.write_bytes(b"areaCode,population_mid2019\nE06000901,100000\n")
    plain = tmp_path / "cases.csv"
    plain.write_bytes(TEXT)
    xz = tmp_path / "cases.csv.xz"
    xz.write_bytes(lzma.compress(TEXT, preset=1))
    assert data_version([plain, other]) == data_version([xz, other])
    changed = tmp_path / "changed.csv"
    changed.write_bytes(TEXT.replace(b",10\n", b",11\n"))
    assert data_version([changed, other]) != data_version([plain, other])
    assert data_version([other, plain]) != data_version([plain, other])  # order counts
