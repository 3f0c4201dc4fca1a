"""Writing audit entries: what each entry holds, how it links to the one before, and what cannot happen."""

import datetime
import hashlib
import json
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pracha.audit import chain
from pracha.audit.models import ACTOR_LABEL_LENGTH, GENESIS_HASH, AuditChainHead, AuditEntry
from pracha.audit.public import chain_verify, entries_about, entries_by_actor, record
from pracha.audit.selectors import ChainReport
from pracha.audit.services import fields_of
from pracha.audit.tests.support import Person, raw_row
from pracha.core.context import RequestContext, use_context
from pracha.core.models import ReferenceCounter
from pracha.core.tests.concurrency import run_in_threads, shared_database

pytestmark = pytest.mark.django_db

SOMCHAI = Person(pk=42, label="นายสมชาย ใจดี")
THAI_PAYLOAD = {
    "ชื่อ": "นางสาวน้ำฝน ศรีสุข",  # combining vowels and tone marks
    "ที่อยู่": "๙๙/๑ ถนนราชดำเนินกลาง แขวงบวรนิเวศ",
    "fee_satang": 150000,
    "items": ["หนังสือรับรอง", {"ฉบับ": 2, "ด่วน": True, "หมายเหตุ": None}],
    "note": 'quotes " and \\ and newline\nand tab\t',
}


def stored(entry: AuditEntry) -> AuditEntry:
    """The entry as read back from the database, not the object the service returned."""
    return AuditEntry.objects.get(pk=entry.pk)


def rehash(entry: AuditEntry) -> str:
    return chain.entry_hash(prev_hash=entry.prev_hash, fields=fields_of(entry))


def test_an_entry_records_who_what_where_and_how():
    counter = ReferenceCounter.objects.create(prefix="APP", year=2569, last_value=1)
    before = timezone.now()
    context = RequestContext(channel="web", client_ip="203.0.113.9", on_behalf_of="บริษัท ตัวอย่าง จำกัด")
    with use_context(context):
        entry = record(actor=SOMCHAI, action="applications.submit", target=counter, payload={"step": 1})
    after = timezone.now()

    row = stored(entry)
    assert row.pk == 1
    assert before <= row.at <= after
    assert (row.actor_id, row.actor_label, row.on_behalf_of) == ("42", "นายสมชาย ใจดี", "บริษัท ตัวอย่าง จำกัด")
    assert (row.action, row.target_type, row.target_id) == (
        "applications.submit",
        "core.referencecounter",
        str(counter.pk),
    )
    assert (row.channel, row.client_ip, row.payload) == ("web", "203.0.113.9", {"step": 1})
    assert row.prev_hash == GENESIS_HASH

    # The hash, worked out here from the documented recipe: SHA-256 of the previous hash, a newline and
    # the fields as compact JSON with sorted keys, non-ASCII kept as UTF-8.
    material = {
        "id": 1,
        "at": row.at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": "42",
        "actor_label": "นายสมชาย ใจดี",
        "on_behalf_of": "บริษัท ตัวอย่าง จำกัด",
        "action": "applications.submit",
        "target_type": "core.referencecounter",
        "target_id": str(counter.pk),
        "channel": "web",
        "client_ip": "203.0.113.9",
        "payload": {"step": 1},
    }
    text = json.dumps(material, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert row.hash == hashlib.sha256(f"{GENESIS_HASH}\n{text}".encode()).hexdigest()
    assert row.hash == entry.hash


def test_the_target_is_named_by_its_reference_or_public_id_rather_than_its_pk():
    counter = ReferenceCounter.objects.create(prefix="APP", year=2569)
    counter.public_id = uuid.UUID("12345678-1234-5678-1234-567812345678")  # type: ignore[attr-defined]
    assert (
        record(actor=None, action="x.by_uuid", target=counter).target_id
        == "12345678-1234-5678-1234-567812345678"
    )
    counter.reference = "APP-2569-000001"  # type: ignore[attr-defined]
    assert record(actor=None, action="x.by_reference", target=counter).target_id == "APP-2569-000001"
    assert record(actor=None, action="x.nothing").target_type == ""


def test_on_behalf_of_given_to_the_service_wins_over_the_context():
    with use_context(RequestContext(channel="api", on_behalf_of="from the context")):
        entry = record(actor=SOMCHAI, action="x.y", on_behalf_of="หจก. ตัวอย่าง")
    assert stored(entry).on_behalf_of == "หจก. ตัวอย่าง"
    assert stored(entry).channel == "api"


def test_outside_a_request_the_channel_is_system_and_there_is_no_address():
    row = stored(record(actor=None, action="portal.seed_demo"))
    assert (row.channel, row.client_ip, row.on_behalf_of) == ("system", None, "")
    assert (row.actor_id, row.actor_label) == ("", "")


def test_an_anonymous_visitor_is_recorded_as_no_one():
    row = stored(record(actor=AnonymousUser(), action="accounts.login_failed", payload={"national_id": "x"}))
    assert (row.actor_id, row.actor_label) == ("", "")


def test_entries_are_numbered_and_linked_in_order():
    first = record(actor=SOMCHAI, action="a.one")
    second = record(actor=SOMCHAI, action="a.two")
    third = record(actor=None, action="a.three")
    assert [e.pk for e in AuditEntry.objects.all()] == [1, 2, 3]
    assert (first.prev_hash, second.prev_hash, third.prev_hash) == (GENESIS_HASH, first.hash, second.hash)
    head = AuditChainHead.objects.get()
    assert (head.pk, head.entry_count, head.last_hash) == (1, 3, third.hash)
    assert chain_verify() == ChainReport(True, 3)


def test_selectors_find_entries_by_target_and_actor():
    counter = ReferenceCounter.objects.create(prefix="APP", year=2569)
    a = record(actor=SOMCHAI, action="applications.submit", target=counter)
    record(actor=Person(pk=7, label="other"), action="applications.approve", target=counter)
    c = record(actor=SOMCHAI, action="applications.withdraw", target=counter)
    record(actor=SOMCHAI, action="applications.submit")
    about = entries_about(target_type="core.referencecounter", target_id=str(counter.pk))
    assert [e.action for e in about] == [
        "applications.withdraw",
        "applications.approve",
        "applications.submit",
    ]
    only = entries_about(
        target_type="core.referencecounter", target_id=str(counter.pk), actions=["applications.submit"]
    )
    assert [e.pk for e in only] == [a.pk]
    assert [e.pk for e in entries_by_actor(actor_id="42")] == [4, c.pk, a.pk]


def test_an_entry_rolled_back_with_its_change_leaves_no_trace():
    kept = record(actor=SOMCHAI, action="a.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=SOMCHAI, action="a.rolled_back")
        raise RuntimeError("the change failed after it was audited")
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["a.kept"]
    head = AuditChainHead.objects.get()
    assert (head.entry_count, head.last_hash) == (1, kept.hash)
    after = record(actor=SOMCHAI, action="a.after")
    assert (after.pk, after.prev_hash) == (2, kept.hash)
    assert chain_verify() == ChainReport(True, 2)


def test_rolling_back_the_very_first_entry_rolls_back_the_head_too():
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=SOMCHAI, action="a.rolled_back")
        raise RuntimeError("failed")
    assert not AuditEntry.objects.exists()
    assert not AuditChainHead.objects.exists()
    assert chain_verify() == ChainReport(True, 0)
    assert record(actor=SOMCHAI, action="a.first").pk == 1
    assert chain_verify() == ChainReport(True, 1)


def test_thai_text_hashes_the_same_after_the_database_round_trip():
    entry = record(actor=SOMCHAI, action="registries.update_address", payload=THAI_PAYLOAD)
    row = stored(entry)
    assert row.payload == THAI_PAYLOAD
    assert rehash(row) == row.hash == entry.hash
    assert chain_verify() == ChainReport(True, 1)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    # Thai letters and digits, ASCII and anything else printable; NUL cannot be stored by PostgreSQL.
    | st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"))
    | st.text(alphabet=st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B)),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")), children, max_size=4
        )
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.dictionaries(st.text(max_size=8).filter(lambda k: "\x00" not in k), json_values, max_size=5)
)
def test_any_json_payload_hashes_the_same_after_the_round_trip(payload):
    entry = record(actor=SOMCHAI, action="x.any", payload=payload)
    row = stored(entry)
    assert rehash(row) == row.hash == entry.hash
    assert row.payload == chain.canonical_payload(payload)


def test_whole_number_floats_are_stored_as_integers_so_both_databases_agree():
    # PostgreSQL's jsonb gives 1e16 back as the integer 10000000000000000 and -0.0 as 0.
    entry = record(actor=None, action="x.floats", payload={"big": 1e16, "two": 2.0, "half": 0.5, "neg": -0.0})
    row = stored(entry)
    assert row.payload == {"big": 10**16, "two": 2, "half": 0.5, "neg": 0}
    assert [type(row.payload[key]) for key in ("big", "two", "half", "neg")] == [int, int, float, int]
    assert chain_verify() == ChainReport(True, 1)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinity_are_refused_and_nothing_is_written(bad):
    with pytest.raises(ValueError, match="NaN or infinity"):
        record(actor=None, action="x.bad", payload={"nested": [1, {"value": bad}]})
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("given_ip", "stored_ip"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("fe80::1%eth0", "fe80::1"),
        (" 192.0.2.5 ", "192.0.2.5"),
        ("unknown", None),
        ("", None),
    ],
)
def test_client_addresses_are_stored_in_the_form_the_database_returns(given_ip, stored_ip):
    with use_context(RequestContext(channel="web", client_ip=given_ip)):
        entry = record(actor=None, action="x.ip")
    row = stored(entry)
    assert row.client_ip == stored_ip
    assert rehash(row) == row.hash
    assert chain_verify() == ChainReport(True, 1)


def test_the_orm_refuses_to_change_or_remove_entries():
    entry = record(actor=SOMCHAI, action="a.original", payload={"n": 1})
    original = raw_row(entry.pk)
    row = stored(entry)
    row.action = "a.changed"
    attempts = [
        lambda: AuditEntry.objects.update(action="a.changed"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="a.changed"),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        lambda: row.save(),
        lambda: row.save(update_fields=["action"]),
        lambda: row.delete(),
        lambda: AuditEntry.objects.bulk_update([row], ["action"]),
        lambda: AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "a.changed"}),
    ]
    for attempt in attempts:
        # Each in its own savepoint: some of these fail inside an atomic block of Django's own.
        with pytest.raises(ImproperlyConfigured, match="append-only"), transaction.atomic():
            attempt()
    assert raw_row(entry.pk) == original
    assert chain_verify() == ChainReport(True, 1)


def test_concurrent_writers_build_one_unbroken_chain(transactional_db, tmp_path):
    """4 threads with their own connections and request contexts write 10 entries each, starting
    together before the chain head exists."""

    def write(worker: int) -> list[int]:
        ids = []
        with use_context(RequestContext(channel="web", client_ip=f"192.0.2.{worker + 1}")):
            for n in range(10):
                ids.append(
                    record(actor=Person(pk=worker, label=f"w{worker}"), action="x.c", payload={"n": n}).pk
                )
        return ids

    with shared_database(tmp_path):
        written = run_in_threads(write, workers=4)
        report = chain_verify()
        rows = list(AuditEntry.objects.values_list("pk", "actor_id", "client_ip", "payload"))
    assert report == ChainReport(True, 40)
    assert sorted(pk for ids in written for pk in ids) == list(range(1, 41))
    assert len(rows) == 40
    for pk, actor_id, client_ip, payload in rows:
        worker = int(actor_id)
        assert client_ip == f"192.0.2.{worker + 1}"  # each thread kept its own request context
        assert pk in written[worker]
        assert payload == {"n": written[worker].index(pk)}


@pytest.mark.django_db
def test_a_label_longer_than_the_column_is_cut_to_fit_and_the_chain_still_verifies():
    actor = SimpleNamespace(pk=7, is_authenticated=True, audit_label="ก" * 100 + " " + "ข" * 100)
    entry = record(actor=actor, action="tests.long_label")

    stored = type(entry).objects.get(pk=entry.pk)
    assert stored.actor_label == ("ก" * 100 + " " + "ข" * 100)[:ACTOR_LABEL_LENGTH]
    assert chain_verify().ok is True
