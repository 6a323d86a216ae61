"""Restore extracts only what a backup holds (R-SEC): plain files and folders inside its work folder."""

from __future__ import annotations

import io
import tarfile

import pytest
from django.core.management.base import CommandError

from kefu.core.backup import safe_extract


def _archive(tmp_path, *entries):
    path = tmp_path / "a.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, kind in entries:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = 2
                tar.addfile(info, io.BytesIO(b"ok"))
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                tar.addfile(info)
    return path


@pytest.mark.parametrize("name,kind", [("../evil.txt", "file"), ("/var/evil.txt", "file"),
                                       ("files/link", "symlink"), ("files/../../evil", "file")])
def test_r_sec_restore_refuses_entries_outside_the_folder_or_links(tmp_path, name, kind):
    target = tmp_path / "work"
    target.mkdir()
    with tarfile.open(_archive(tmp_path, ("manifest.json", "file"), (name, kind))) as tar, \
            pytest.raises(CommandError):
        safe_extract(tar, target)
    assert list(target.iterdir()) == []  # nothing extracted, not even the good entry
    assert not (tmp_path / "evil.txt").exists()


def test_restore_extracts_plain_files(tmp_path):
    target = tmp_path / "work"
    target.mkdir()
    with tarfile.open(_archive(tmp_path, ("manifest.json", "file"), ("files/attachments/a.txt", "file"))) as tar:
        safe_extract(tar, target)
    assert (target / "files/attachments/a.txt").read_bytes() == b"ok"


def test_restore_extracts_on_a_python_without_tar_filters(tmp_path, monkeypatch):
    """Debian 12's Python 3.11.2 has no ``tarfile.data_filter``: the checks above are then all there is."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    target = tmp_path / "work"
    target.mkdir()
    with tarfile.open(_archive(tmp_path, ("files/a.txt", "file"))) as tar:
        safe_extract(tar, target)
    assert (target / "files/a.txt").read_bytes() == b"ok"
    with tarfile.open(_archive(tmp_path, ("../evil.txt", "file"))) as tar, pytest.raises(CommandError):
        safe_extract(tar, target)
