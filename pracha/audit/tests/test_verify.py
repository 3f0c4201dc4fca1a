"""Verifying the chain: every kind of tampering done past the ORM (raw SQL) is found and named."""

import datetime
from io import StringIO

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connection

from pracha.audit import chain
from pracha.audit.models import AuditEntry
from pracha.audit.public import chain_verify, record
from pracha.audit.selectors import ChainReport
from pracha.audit.services import fields_of
from pracha.audit.tests.support import Person, raw
from pracha.core.context import RequestContext, use_context

pytestmark = pytest.mark.django_db


def write_chain(count: int = 5) -> list[AuditEntry]:
    with use_context(RequestContext(channel="web", client_ip="192.0.2.10", on_behalf_of="")):
        return [
            record(
                actor=Person(pk=n, label=f"เจ้าหน้าที่ {n}"),
                action=f"applications.step_{n}",
                payload={"step": n, "หมายเหตุ": "ตรวจแล้ว"},
            )
            for n in range(1, count + 1)
        ]


def verify_command() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def broken_command_message() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit_verify", stdout=StringIO())
    return str(caught.value)


def test_a_clean_chain_verifies():
    write_chain(5)
    assert chain_verify() == ChainReport(True, 5)
    assert verify_command() == "Audit chain intact: 5 entries verified.\n"


def test_an_empty_log_verifies():
    assert chain_verify() == ChainReport(True, 0)
    assert verify_command() == "Audit chain intact: 0 entries verified.\n"


def test_small_batches_give_the_same_answer():
    write_chain(7)
    assert chain_verify(batch_size=2) == ChainReport(True, 7)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "applications.approve"),
        ("payload", '{"step": 3, "หมายเหตุ": "ตรวจแล้ว", "extra": 1}'),
        ("actor_id", "999"),
        ("actor_label", "someone else"),
        ("on_behalf_of", "บริษัท ปลอม จำกัด"),
        ("target_id", "APP-2569-000999"),
        ("channel", "api"),
        ("client_ip", "198.51.100.66"),
    ],
)
def test_changing_any_field_of_an_entry_is_caught_at_that_entry(column, value):
    write_chain(5)
    assert raw(f"UPDATE {{entries}} SET {column} = %s WHERE id = %s", [value, 3]) == 1
    assert chain_verify() == ChainReport(False, 2, 3, "its contents do not match its hash")
    assert broken_command_message() == (
        "Audit chain broken at entry #3: its contents do not match its hash (2 entries verified before it)."
    )


def test_changing_the_time_of_an_entry_is_caught():
    entries = write_chain(5)
    earlier = entries[1].at - datetime.timedelta(seconds=1)
    raw("UPDATE {entries} SET at = %s WHERE id = %s", [connection.ops.adapt_datetimefield_value(earlier), 2])
    assert AuditEntry.objects.get(pk=2).at == earlier  # the change really landed
    assert chain_verify() == ChainReport(False, 1, 2, "its contents do not match its hash")


def test_rewriting_an_entry_with_a_recomputed_hash_is_caught_at_the_next_entry():
    write_chain(5)
    forged = AuditEntry.objects.get(pk=3)
    forged.action = "applications.approve"
    new_hash = chain.entry_hash(prev_hash=forged.prev_hash, fields=fields_of(forged))
    raw("UPDATE {entries} SET action = %s, hash = %s WHERE id = 3", ["applications.approve", new_hash])
    assert chain_verify() == ChainReport(False, 3, 4, "does not follow the entry before it")
    assert "entry #4" in broken_command_message()


def test_rewriting_the_last_entry_with_a_recomputed_hash_is_caught_by_the_head():
    write_chain(5)
    forged = AuditEntry.objects.get(pk=5)
    forged.payload = {"step": 5, "หมายเหตุ": "ไม่ได้ตรวจ"}
    new_hash = chain.entry_hash(prev_hash=forged.prev_hash, fields=fields_of(forged))
    raw(
        "UPDATE {entries} SET payload = %s, hash = %s WHERE id = 5",
        ['{"step": 5, "หมายเหตุ": "ไม่ได้ตรวจ"}', new_hash],
    )
    assert chain_verify() == ChainReport(False, 4, 5, "it does not match the chain head")
    assert broken_command_message().startswith(
        "Audit chain broken at entry #5: it does not match the chain head"
    )


def test_deleting_an_entry_in_the_middle_is_caught_at_the_next_entry():
    write_chain(5)
    assert raw("DELETE FROM {entries} WHERE id = %s", [3]) == 1
    assert chain_verify() == ChainReport(False, 2, 4, "expected entry #3, found #4")
    assert broken_command_message() == (
        "Audit chain broken at entry #4: expected entry #3, found #4 (2 entries verified before it)."
    )


def test_deleting_the_first_entry_is_caught():
    write_chain(3)
    raw("DELETE FROM {entries} WHERE id = 1")
    assert chain_verify() == ChainReport(False, 0, 2, "expected entry #1, found #2")


def test_deleting_the_last_entry_is_caught_by_the_chain_head():
    write_chain(5)
    assert raw("DELETE FROM {entries} WHERE id = %s", [5]) == 1
    assert chain_verify() == ChainReport(False, 4, 5, "the chain head records 5 entries")
    assert broken_command_message() == (
        "Audit chain broken at entry #5: the chain head records 5 entries (4 entries verified before it)."
    )


def test_deleting_every_entry_is_caught_by_the_chain_head():
    write_chain(3)
    raw("DELETE FROM {entries}")
    assert chain_verify() == ChainReport(False, 0, 1, "the chain head records 3 entries")


def test_an_entry_appended_past_the_service_is_caught():
    entries = write_chain(3)
    # A well-formed, correctly hashed fourth entry inserted directly: only the head knows it is extra.
    forged = AuditEntry(
        pk=4,
        at=entries[-1].at,
        action="applications.approve",
        channel="web",
        payload={},
        prev_hash=entries[-1].hash,
        hash="pending",
    )
    forged.hash = chain.entry_hash(prev_hash=forged.prev_hash, fields=fields_of(forged))
    AuditEntry.objects.bulk_create([forged])
    assert chain_verify() == ChainReport(False, 3, 4, "the chain head records only 3 entries")
    assert "entry #4" in broken_command_message()


def test_swapping_two_entries_is_caught():
    write_chain(5)
    # Swap the rows' places: every column, hashes included, moves with the row.
    raw("UPDATE {entries} SET id = 1000 WHERE id = 2")
    raw("UPDATE {entries} SET id = 2 WHERE id = 3")
    raw("UPDATE {entries} SET id = 3 WHERE id = 1000")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "applications.step_1",
        "applications.step_3",
        "applications.step_2",
        "applications.step_4",
        "applications.step_5",
    ]
    assert chain_verify() == ChainReport(False, 1, 2, "does not follow the entry before it")
    assert "entry #2" in broken_command_message()


def test_swapping_contents_but_keeping_the_links_is_caught():
    write_chain(5)
    # Exchange only what the entries say, leaving ids and hashes in place.
    raw("UPDATE {entries} SET action = 'tmp' WHERE id = 2")
    raw("UPDATE {entries} SET action = 'applications.step_2' WHERE id = 3")
    raw("UPDATE {entries} SET action = 'applications.step_3' WHERE id = 2")
    assert chain_verify() == ChainReport(False, 1, 2, "its contents do not match its hash")


def test_the_command_exits_non_zero_with_the_entry_in_the_message(transactional_db, capsys):
    write_chain(4)
    raw("UPDATE {entries} SET action = %s WHERE id = %s", ["applications.approve", 2])
    with pytest.raises(SystemExit) as caught:
        ManagementUtility(["manage.py", "audit_verify"]).execute()
    assert caught.value.code == 1
    assert capsys.readouterr().err == (
        "CommandError: Audit chain broken at entry #2: its contents do not match its hash "
        "(1 entries verified before it).\n"
    )


def test_the_command_exits_zero_on_a_clean_chain(transactional_db, capsys):
    write_chain(4)
    ManagementUtility(["manage.py", "audit_verify"]).execute()  # returns normally: exit status 0
    assert capsys.readouterr().out == "Audit chain intact: 4 entries verified.\n"


@pytest.mark.django_db
def test_an_entry_written_while_the_check_runs_is_not_reported_as_tampering(monkeypatch):
    from pracha.audit import selectors

    write_chain(3)
    real_head = selectors._head
    calls = []

    def head_then_a_concurrent_write():
        head = real_head()
        if not calls:  # another request appends right after the check read the head
            record(actor=None, action="tests.concurrent")
        calls.append(head)
        return head

    monkeypatch.setattr(selectors, "_head", head_then_a_concurrent_write)

    assert chain_verify() == ChainReport(True, 3)
    assert [count for count, _hash in calls] == [3, 4]
    assert chain_verify() == ChainReport(True, 4)
